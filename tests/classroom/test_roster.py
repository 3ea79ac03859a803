"""Rosters: several gradebook header styles, and bad rows reported with their lines."""

from __future__ import annotations

import pytest

from runner.classroom.roster import parse_roster
from runner.errors import InputError


@pytest.mark.parametrize("text", [
    "id,first_name,last_name,email\ns1,Ann,Lee,ann@x.org\n",                    # nbgrader
    "Username,First name,Last name,Email address\ns1,Ann,Lee,ann@x.org\n",     # Moodle-ish
    "ID,Name\ns1,Ann Lee\n",                                                    # plain
    "\ufeffStudent ID;x\n".replace(";x", ",Full Name") + "s1,Ann Lee\n",       # BOM, spaces
])
def test_header_styles_give_the_same_trainee(text):
    (t,) = parse_roster(text)
    assert (t.seat, t.trainee_id, t.name) == ("s1", "s1", "Ann Lee")


def test_optional_columns_and_seat_names():
    text = "id,name,email,language\nAnn.Lee@X.org,Ann,ann@x.org,uk\n\nS 2,Bo,,\n"
    first, second = parse_roster(text)
    assert (first.seat, first.email, first.lang, first.line) == ("ann.lee", "ann@x.org", "uk", 2)
    assert (second.seat, second.line) == ("s-2", 4)


def test_every_bad_row_is_named_by_line():
    text = ("id,name,email\n"
            "a1,Ann,ann@x.org\n"
            ",No Id,\n"
            "a1,Again,\n"
            "b2,,\n"
            "c3,Cy,not-an-address\n")
    with pytest.raises(InputError) as err:
        parse_roster(text, "r.csv")
    msg = err.value.one_line()
    assert "4 bad row(s)" in msg and "nothing was created" in msg
    for line in ("line 3: no id", "line 4: id 'a1' repeats line 2", "line 5: no name",
                 "line 6: email"):
        assert line in msg


def test_a_header_without_id_or_name_is_refused():
    with pytest.raises(InputError, match="no id and name columns"):
        parse_roster("email,score\na@x.org,3\n")
    with pytest.raises(InputError, match="empty"):
        parse_roster("\n\n")
