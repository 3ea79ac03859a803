"""Versioned migrations of sessions.db: old files upgrade in place, newer ones are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from runner.classroom.store import ClassStore
from runner.errors import StoreError
from runner.session.migrations import MIGRATIONS, migrate, version
from runner.session.store import Store

V0_SCHEMA = Path(__file__).parent / "data" / "schema-v0.sql"


def _old_database(path: Path) -> None:
    """A sessions.db exactly as dflab wrote it before versioning, with a class in it."""
    db = sqlite3.connect(path)
    db.executescript(V0_SCHEMA.read_text(encoding="utf-8"))
    db.execute("INSERT INTO sessions VALUES ('abc123', 'net', '/s.yaml', ?, 'Net', 'en', 'ann',"
               " 's1', 'docker', 'cid', 'active', 1.0, 2.0, '{}')", ("0" * 64,))
    db.execute("INSERT INTO attempts (session_id, task_id, at, kind, raw, normalized, status,"
               " score, feedback, counted) VALUES ('abc123', 't1', 3.0, 'answer', '10.0.0.1',"
               " '10.0.0.1', 'correct', 1.0, 'ok', 1)")
    db.execute("INSERT INTO classes VALUES ('c1', '{}', 90, 'en', 1.0, 0, NULL)")
    db.execute("INSERT INTO class_seats (class, seat, trainee_id, name, email, lang, pw_hash,"
               " seed, status) VALUES ('c1', 's1', 'ann', 'Ann', 'a@x', 'en', 'h', 7, 'running')")
    db.commit()
    assert version(db) == 0
    db.close()


def test_a_database_of_todays_schema_upgrades_in_place_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    _old_database(path)
    with Store(path) as store:
        assert store.query("PRAGMA user_version")[0][0] == len(MIGRATIONS)
        assert store.session("abc123").trainee == "ann"
        assert [a.raw for a in store.attempts("abc123")] == ["10.0.0.1"]
        assert store.solved("abc123") == {"t1"}
        seat = ClassStore(store).seat("c1", "s1")
        assert (seat.name, seat.seed, seat.status) == ("Ann", 7, "running")
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"
    with Store(path) as again:  # a second open has nothing left to do
        assert again.query("PRAGMA user_version")[0][0] == len(MIGRATIONS)


def test_a_new_database_gets_every_table_and_the_newest_version(tmp_path: Path) -> None:
    with Store(tmp_path / "sessions.db") as store:
        tables = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"sessions", "attempts", "keys", "hints", "events", "evidence", "classes",
                "class_seats", "class_labs", "class_grades"} <= tables
        assert store.query("PRAGMA user_version")[0][0] == len(MIGRATIONS)


def test_a_database_from_a_newer_dflab_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    with Store(path):
        pass
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    db.commit()
    db.close()
    with pytest.raises(StoreError) as info:
        Store(path)
    assert "newer than this dflab" in info.value.message
    assert "upgrade dflab" in (info.value.fix or "")


def test_a_failing_step_keeps_the_last_complete_version(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db = sqlite3.connect(path, isolation_level=None)

    def add_table(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE notes (id INTEGER)")

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (id INTEGER)")
        conn.execute("INSERT INTO missing_table VALUES (1)")

    with pytest.raises(StoreError, match="version 2 failed"):
        migrate(db, path, [add_table, broken])
    assert version(db) == 1
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "notes" in names and "half" not in names  # the broken step left nothing behind
    db.close()
