"""The session store: durable, concurrent-safe, and honest about a corrupt file."""

from __future__ import annotations

import multiprocessing

import pytest
from helpers import hammer_store

from runner.errors import RefusedError, StoreError
from runner.session.store import Store

FIELDS = {"scenario_id": "s", "scenario_path": "/x.yaml", "scenario_sha256": "0" * 64,
          "title": "T", "lang": "en", "trainee": "t", "backend": "local"}


def test_concurrent_writers_lose_no_attempt(tmp_path):
    db = tmp_path / "s.db"
    store = Store(db)
    session_id = store.create_session(**FIELDS)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=hammer_store, args=(str(db), session_id, w, 60)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    attempts = store.attempts(session_id)
    assert len(attempts) == 240
    assert len({a.raw for a in attempts}) == 240
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"


def test_attempt_limit_is_enforced_inside_the_transaction(tmp_path):
    store = Store(tmp_path / "s.db")
    session_id = store.create_session(**FIELDS)
    for _ in range(2):
        store.add_attempt(session_id, "t", kind="answer", raw="x", normalized="x",
                          status="wrong", score=0, feedback="", counted=True, limit=2)
    with pytest.raises(RefusedError, match="no attempts left"):
        store.add_attempt(session_id, "t", kind="answer", raw="y", normalized="y",
                          status="correct", score=1, feedback="", counted=True, limit=2)
    assert len(store.attempts(session_id)) == 2


def test_corrupt_database_is_one_clear_error_and_is_left_untouched(tmp_path):
    db = tmp_path / "sessions.db"
    garbage = b"this is not a database" * 100
    db.write_bytes(garbage)
    with pytest.raises(StoreError) as info:
        Store(db)
    assert "unreadable" in info.value.message
    assert "mv " in (info.value.fix or "")
    assert db.read_bytes() == garbage


def test_data_survives_reopening(tmp_path):
    store = Store(tmp_path / "s.db")
    session_id = store.create_session(**FIELDS)
    store.add_attempt(session_id, "t", kind="answer", raw="kept", normalized="kept",
                      status="correct", score=1, feedback="", counted=True, limit=None)
    store.close()
    again = Store(tmp_path / "s.db")
    assert [a.raw for a in again.attempts(session_id)] == ["kept"]
    assert again.session(session_id[:6]).id == session_id
