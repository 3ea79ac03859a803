"""The tar kind: a phone extraction's databases read as the sqlite kind, facts merged.

The databases are made with the sqlite3 shell and packed with GNU tar, as an examiner's
extraction would be; dflab must read them without unpacking anything to its own paths.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import CliRunner

from evidence.kinds.conftest import sh
from runner.evidence.kinds.registry import detect

CALLS = ("CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, date INTEGER, "
         "duration INTEGER, type INTEGER, name TEXT);"
         "INSERT INTO calls VALUES (1, '+380671112233', 1728550403000, 61, 1, 'Taras');"
         "INSERT INTO calls VALUES (2, '+380931234567', 1728554000000, 0, 3, 'Bank Oleh');")
SMS = ("CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, "
       "date INTEGER, type INTEGER, read INTEGER, body TEXT);"
       "INSERT INTO sms VALUES (1, 1, '+380931234567', 1728550000000, 1, 1, 'Tell him the code');")


def _extraction(tmp_path: Path) -> Path:
    root = tmp_path / "x"
    calls = root / "data/data/com.android.providers.contacts/databases/calllog.db"
    sms = root / "data/data/com.android.providers.telephony/databases/mmssms.db"
    for path, sql in ((calls, CALLS), (sms, SMS)):
        path.parent.mkdir(parents=True)
        sh("sqlite3", str(path), sql)
    (root / "data/data/notes.xml").write_text("<prefs/>", encoding="utf-8")  # not evidence
    (root / "data/data/link.db").symlink_to("/etc/passwd")  # never followed
    tar = tmp_path / "extraction.tar"
    sh("tar", "--sort=name", "-cf", str(tar), "-C", str(root), "data")  # calls first
    return tar


def _facts(cli: CliRunner, path: Path, *args: str) -> dict[str, Any]:
    result = cli("facts", str(path), "--json", *args)
    assert result.code == 0, result.stderr
    facts: dict[str, Any] = json.loads(result.stdout)
    return facts


def test_members_are_read_by_their_own_kind_and_merged(cli: CliRunner, tmp_path: Path) -> None:
    tar = _extraction(tmp_path)
    assert detect(tar).name == "tar"
    facts = _facts(cli, tar)
    assert facts["kind"] == "tar" and facts["warnings"] == []
    calls = facts["tables"]["android_calls.calls"]
    assert [(c["number"], c["direction"], c["duration"]) for c in calls] == [
        ("+380671112233", "incoming", 61), ("+380931234567", "missed", 0)]
    assert calls[0]["time"].startswith("2024-10-10T08:53:23")
    (sms,) = facts["tables"]["android_sms.sms"]
    assert (sms["address"], sms["body"]) == ("+380931234567", "Tell him the code")


def test_only_the_named_analyzers_run_on_the_members(cli: CliRunner, tmp_path: Path) -> None:
    facts = _facts(cli, _extraction(tmp_path), "--only", "android_sms")
    assert set(facts["tables"]) == {"android_sms.sms", "android_sms.mms"}


def test_a_cut_archive_keeps_the_members_before_the_cut(cli: CliRunner, tmp_path: Path) -> None:
    tar = _extraction(tmp_path)
    listing = sh("tar", "-tvf", str(tar)).decode()
    assert "calllog.db" in listing
    data = tar.read_bytes()
    second = data.index(b"SQLite format 3", data.index(b"SQLite format 3") + 1)
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: second + 600])  # inside the second database
    facts = _facts(cli, cut)
    assert len(facts["tables"]["android_calls.calls"]) == 2  # the first member, whole
    assert any("cut.tar" in w and "damaged tar" in w for w in facts["warnings"])
    assert facts["tables"].get("android_sms.sms", []) == []
