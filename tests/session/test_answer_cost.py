"""The answer path costs the same at any number of attempts (issue 10, item 13): the
per-task tally is kept by triggers, read by primary key, and always equals a recount."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.session.migrations import MIGRATIONS, _attempt_tally
from runner.session.store import SOLVED_SQL, TALLY_SQL, Store

FIELDS = {"scenario_id": "s", "scenario_path": "/x.yaml", "scenario_sha256": "0" * 64,
          "title": "T", "lang": "en", "trainee": "t", "backend": "local"}
RECOUNT = ("SELECT task_id, COUNT(*), MAX(score), MIN(CASE WHEN status = 'correct' THEN at END)"
           " FROM attempts WHERE session_id = ? AND counted = 1 GROUP BY task_id")


def plan(store: Store, sql: str, args: tuple[str, ...]) -> str:
    return " ".join(r[3] for r in store.query("EXPLAIN QUERY PLAN " + sql, args))


def test_answer_path_queries_read_the_tally_by_key(tmp_path):
    store = Store(tmp_path / "s.db")
    assert "attempt_tally USING INDEX" in plan(store, TALLY_SQL, ("a", "b"))
    assert "(session_id=? AND task_id=?)" in plan(store, TALLY_SQL, ("a", "b"))
    assert "attempt_tally USING INDEX" in plan(store, SOLVED_SQL, ("a",))
    assert "attempts" not in plan(store, TALLY_SQL, ("a", "b")).replace("attempt_tally", "")


TALLY_STEP = MIGRATIONS.index(_attempt_tally)  # the version just before the tally came


def test_an_older_file_gets_its_tally_filled_on_open(tmp_path):
    db = tmp_path / "s.db"
    store = Store(db)
    sid = store.create_session(**FIELDS)
    for status, score in (("wrong", 0.0), ("partial", 0.5), ("correct", 1.0)):
        store.add_attempt(sid, "t", kind="answer", raw=status, normalized=None, status=status,
                          score=score, feedback="", counted=True, limit=None)
    store.close()
    raw = sqlite3.connect(db)  # what a file from before the tally looks like
    raw.executescript("DROP TRIGGER attempt_tally_insert; DROP TRIGGER attempt_tally_update;"
                      " DROP TRIGGER attempt_tally_delete; DROP TABLE attempt_tally;"
                      f" PRAGMA user_version = {TALLY_STEP};")
    raw.close()
    store = Store(db)
    count, best, correct_at = store.tally(sid, "t")
    assert (count, best) == (3, 1.0) and correct_at is not None
    assert store.solved(sid) == {"t"}
    store.close()


attempt = st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["wrong", "partial",
                                                                      "correct", "invalid"]),
                    st.floats(0, 1), st.booleans())


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(attempt, max_size=30), deletes=st.lists(st.integers(0, 40), max_size=5),
       flips=st.lists(st.integers(0, 40), max_size=5))
def test_the_tally_always_equals_a_recount(tmp_path_factory, rows, deletes, flips):
    store = Store(tmp_path_factory.mktemp("tally") / "s.db")
    sid = store.create_session(**FIELDS)
    for task, status, score, counted in rows:
        if counted and task in store.solved(sid):
            continue  # the store refuses it (already solved)
        store.add_attempt(sid, task, kind="answer", raw="x", normalized=None, status=status,
                          score=score, feedback="", counted=counted, limit=None)
    with store.tx() as db:
        for row_id in flips:
            db.execute("UPDATE attempts SET counted = 1 - counted WHERE id = ?", (row_id,))
        for row_id in deletes:
            db.execute("DELETE FROM attempts WHERE id = ?", (row_id,))
    expected = {r[0]: (r[1], r[2], r[3]) for r in store.query(RECOUNT, (sid,))}
    for task in ("a", "b", "c"):
        assert store.tally(sid, task) == expected.get(task, (0, 0.0, None))
    assert store.solved(sid) == {t for t, v in expected.items() if v[2] is not None}
    store.close()


def test_tally_tables_stay_small(tmp_path: Path):
    store = Store(tmp_path / "s.db")
    sid = store.create_session(**FIELDS)
    for i in range(500):
        store.add_attempt(sid, f"t{i % 5}", kind="answer", raw="x", normalized=None,
                          status="wrong", score=0.0, feedback="", counted=True, limit=None)
    assert store.query("SELECT COUNT(*) FROM attempt_tally")[0][0] == 5
