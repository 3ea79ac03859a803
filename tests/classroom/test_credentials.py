"""Seat credentials: hashed with salt, checked in constant time, written owner-only."""

from __future__ import annotations

import stat

from runner.classroom.credentials import (
    check_password,
    hash_password,
    new_password,
    write_credentials,
)
from runner.classroom.roster import Trainee


def test_passwords_are_stored_hashed_and_salted():
    password = new_password()
    one, two = hash_password(password), hash_password(password)
    assert password not in one and one != two and one.startswith("scrypt$")
    assert check_password(password, one) and check_password(password, two)
    assert not check_password(password + "x", one)
    assert not check_password(password, "garbage") and not check_password(password, "")


def test_credentials_file_is_owner_only(tmp_path):
    path = tmp_path / "creds.csv"
    write_credentials(path, [(Trainee("s1", "s1", 'Ann "A", Lee'), "pw1")], "c")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().splitlines()[1] == 'c,s1,s1,"Ann ""A"", Lee",,pw1'
