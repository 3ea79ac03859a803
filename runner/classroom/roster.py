"""Reading a class roster from the CSV files gradebooks and LMSs export.

Accepted headers (case and spacing ignored): an id column (``id``, ``username``,
``student_id``, ``id number``, ``sis user id``, ...), a name (``name`` or
``first_name``/``firstname`` + ``last_name``/``lastname``/``surname``), and
optionally ``email`` and ``language``/``lang``. Every bad row is reported with
its line number, and nothing is created unless the whole roster is good.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from runner.errors import InputError

ID_COLUMNS = ("id", "student_id", "studentid", "username", "user", "login", "id_number",
              "idnumber", "sis_user_id", "sis_login_id", "matriculation", "student")
NAME_COLUMNS = ("name", "full_name", "fullname", "student_name", "display_name")
FIRST_COLUMNS = ("first_name", "firstname", "given_name", "givenname", "first")
LAST_COLUMNS = ("last_name", "lastname", "surname", "family_name", "familyname", "last")
EMAIL_COLUMNS = ("email", "email_address", "e_mail", "mail")
LANG_COLUMNS = ("language", "lang", "locale")
_SEAT_OK = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
_EMAIL_OK = re.compile(r"^[^@\s]+@[^@\s]+$")
# What a deliverable address looks like: a dotted domain, no dots at the ends or doubled.
_EMAIL_PLAUSIBLE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")
DELIMITERS = ",;\t"
_LANG_OK = re.compile(r"^[a-z]{2,3}([-_][A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class Trainee:
    """One roster row: the seat it gets (its SSH user name) and who sits there."""

    seat: str
    trainee_id: str
    name: str
    email: str = ""
    lang: str = ""
    line: int = 0
    warning: str = ""  # accepted, but the trainer should look (an unlikely e-mail)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower().lstrip("\ufeff")).strip("_")


def _pick(columns: dict[str, int], names: tuple[str, ...]) -> int | None:
    return next((columns[n] for n in names if n in columns), None)


def seat_name(trainee_id: str) -> str:
    """The seat (and SSH user name) for a trainee id: lower case, safe characters."""
    local = trainee_id.strip().lower().split("@", 1)[0]
    return re.sub(r"[^a-z0-9_.-]+", "-", local).strip("-.")


def sniff_delimiter(text: str) -> str:
    """``,``, ``;`` (what spreadsheets write where the comma is the decimal mark) or tab,
    from the header line."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or no delimiter at all: the comma by default
        return ","


def parse_roster(text: str, where: str = "roster") -> list[Trainee]:
    """Parse roster CSV text; raise one :class:`InputError` listing every bad row."""
    delimiter = sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        raise InputError("the roster is empty", where=where,
                         fix="give a header line such as 'id,name,email' and one row per trainee")
    columns = {_key(h): i for i, h in enumerate(rows[0]) if h.strip()}
    id_col = _pick(columns, ID_COLUMNS)
    name_col = _pick(columns, NAME_COLUMNS)
    first_col, last_col = _pick(columns, FIRST_COLUMNS), _pick(columns, LAST_COLUMNS)
    if id_col is None or (name_col is None and first_col is None and last_col is None):
        raise InputError(f"no id and name columns in the header ({', '.join(rows[0])})",
                         where=f"{where}:1",
                         fix="use 'id,name', 'id,first_name,last_name,email' or "
                         "'username,firstname,lastname,email'")
    email_col, lang_col = _pick(columns, EMAIL_COLUMNS), _pick(columns, LANG_COLUMNS)
    trainees: list[Trainee] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, row in _numbered(text, delimiter):
        if not any(c.strip() for c in row):
            continue
        name = _cell(row, name_col) or " ".join(
            p for p in (_cell(row, first_col), _cell(row, last_col)) if p)
        email = _cell(row, email_col)
        trainee = Trainee(seat_name(_cell(row, id_col)), _cell(row, id_col), name, email,
                          _cell(row, lang_col), line,
                          "" if not email or _EMAIL_PLAUSIBLE.match(email) else
                          f"e-mail '{email}' looks wrong (check it before an LMS import)")
        problem = _check(trainee, seen)
        if problem:
            problems.append(f"line {line}: {problem}")
        else:
            seen[trainee.seat] = line
            trainees.append(trainee)
    if problems:
        raise InputError(f"{len(problems)} bad row(s): {'; '.join(problems)}", where=where,
                         fix="correct those lines; nothing was created")
    if not trainees:
        raise InputError("the roster has a header but no trainees", where=where,
                         fix="add one line per trainee")
    return trainees


def _numbered(text: str, delimiter: str = ",") -> list[tuple[int, list[str]]]:
    """Data rows (after the header) with the line each starts on."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    header_seen = False
    start = 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not header_seen:
            header_seen = any(c.strip() for c in row)
            continue
        out.append((line, row))
    return out


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _check(trainee: Trainee, seen: dict[str, int]) -> str:
    if not trainee.trainee_id:
        return "no id"
    if not _SEAT_OK.match(trainee.seat):
        return (f"id '{trainee.trainee_id}' cannot be a seat name "
                "(letters, digits, '.', '_' or '-', at most 32)")
    if trainee.seat in seen:
        return f"id '{trainee.trainee_id}' repeats line {seen[trainee.seat]}"
    if not trainee.name:
        return f"no name for '{trainee.trainee_id}'"
    if trainee.email and not _EMAIL_OK.match(trainee.email):
        return f"email '{trainee.email}' is not an address"
    if trainee.lang and not _LANG_OK.match(trainee.lang):
        return f"language '{trainee.lang}' is not a language code (en, uk, fr...)"
    return ""


def read_roster(path: Path) -> list[Trainee]:
    """Read and parse a roster file (UTF-8, with or without a byte-order mark)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"roster not found: {path}", fix="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the roster ({exc})", where=str(path),
                         fix="save it as UTF-8 CSV") from None
    return parse_roster(text, str(path))
