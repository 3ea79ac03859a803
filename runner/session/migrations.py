"""Versioned schema of ``sessions.db``: one ordered list of steps, ``PRAGMA user_version``.

A database records how many steps it has had. Opening it runs the missing
steps in order, each in its own transaction together with the new version
number, so an upgrade interrupted half-way leaves the last complete version.
Version 0 is any database made before versioning (the schema of dflab 0.x,
sessions and class tables created with ``IF NOT EXISTS``); step 1 brings it,
or an empty file, to the baseline without touching a row.

To change the schema, append a step; never edit one that has shipped, since
trainers upgrade with classes in progress.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from runner.errors import StoreError

Step = Callable[[sqlite3.Connection], None]

BASELINE = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, scenario_id TEXT NOT NULL, scenario_path TEXT NOT NULL,
    scenario_sha256 TEXT NOT NULL, title TEXT NOT NULL, lang TEXT NOT NULL,
    trainee TEXT NOT NULL, seat TEXT NOT NULL DEFAULT '', backend TEXT NOT NULL,
    lab_ref TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, created_at REAL NOT NULL,
    updated_at REAL NOT NULL, meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS keys (
    session_id TEXT NOT NULL REFERENCES sessions(id), task_id TEXT NOT NULL,
    key_json TEXT NOT NULL, provenance TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (session_id, task_id)
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id),
    task_id TEXT NOT NULL, at REAL NOT NULL, kind TEXT NOT NULL, raw TEXT NOT NULL,
    normalized TEXT, status TEXT NOT NULL, score REAL NOT NULL, feedback TEXT NOT NULL,
    counted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_task ON attempts (session_id, task_id);
CREATE TABLE IF NOT EXISTS hints (
    session_id TEXT NOT NULL REFERENCES sessions(id), task_id TEXT NOT NULL,
    idx INTEGER NOT NULL, at REAL NOT NULL, cost REAL NOT NULL,
    PRIMARY KEY (session_id, task_id, idx)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, at REAL NOT NULL,
    kind TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS evidence (
    session_id TEXT NOT NULL REFERENCES sessions(id), name TEXT NOT NULL,
    path TEXT NOT NULL, sha256 TEXT NOT NULL, at_start TEXT, at_stop TEXT,
    PRIMARY KEY (session_id, name)
);
CREATE TABLE IF NOT EXISTS classes (
    name TEXT PRIMARY KEY, scenarios TEXT NOT NULL, minutes INTEGER, lang TEXT NOT NULL,
    created_at REAL NOT NULL, frozen INTEGER NOT NULL DEFAULT 0, collected_at REAL
);
CREATE TABLE IF NOT EXISTS class_seats (
    class TEXT NOT NULL REFERENCES classes(name), seat TEXT NOT NULL,
    trainee_id TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL, lang TEXT NOT NULL,
    pw_hash TEXT NOT NULL, pubkeys TEXT NOT NULL DEFAULT '', seed INTEGER NOT NULL,
    status TEXT NOT NULL, started_at REAL, extra_seconds REAL NOT NULL DEFAULT 0,
    paused_at REAL, PRIMARY KEY (class, seat)
);
CREATE TABLE IF NOT EXISTS class_labs (
    class TEXT NOT NULL, seat TEXT NOT NULL, scenario_id TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (class, seat, scenario_id)
);
CREATE TABLE IF NOT EXISTS class_grades (
    class TEXT NOT NULL, seat TEXT NOT NULL, scenario_id TEXT NOT NULL, task_id TEXT NOT NULL,
    status TEXT NOT NULL, earned REAL NOT NULL, points REAL NOT NULL, source TEXT NOT NULL,
    graded_at REAL NOT NULL, PRIMARY KEY (class, seat, scenario_id, task_id)
);
"""


# Step 2: a class's options and marks (``clock``, ``exported_at``, reset marks) and the
# SSH logins ``class serve`` records (who is connected, from where).
CLASS_META_AND_LOGINS = """
CREATE TABLE IF NOT EXISTS class_meta (
    class TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (class, key)
);
CREATE TABLE IF NOT EXISTS class_logins (
    class TEXT NOT NULL, seat TEXT NOT NULL, peer TEXT NOT NULL, at REAL NOT NULL,
    ended_at REAL
);
"""


# What every answer needs about a task (count, best score, first correct time), kept per
# task by triggers so an answer costs the same at the 20th and the 20,000th attempt.
TALLY_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempt_tally (
    session_id TEXT NOT NULL, task_id TEXT NOT NULL, n INTEGER NOT NULL, best REAL NOT NULL,
    correct_at REAL, PRIMARY KEY (session_id, task_id)
);
CREATE TRIGGER IF NOT EXISTS attempt_tally_insert AFTER INSERT ON attempts WHEN NEW.counted = 1
BEGIN
    INSERT INTO attempt_tally VALUES (NEW.session_id, NEW.task_id, 1, NEW.score,
        CASE WHEN NEW.status = 'correct' THEN NEW.at END)
    ON CONFLICT (session_id, task_id) DO UPDATE SET n = n + 1, best = MAX(best, excluded.best),
        correct_at = COALESCE(MIN(correct_at, excluded.correct_at), correct_at,
                              excluded.correct_at);
END;
CREATE TRIGGER IF NOT EXISTS attempt_tally_update AFTER UPDATE ON attempts
BEGIN
    DELETE FROM attempt_tally WHERE session_id IN (OLD.session_id, NEW.session_id)
        AND task_id IN (OLD.task_id, NEW.task_id);
    INSERT INTO attempt_tally SELECT session_id, task_id, COUNT(*), MAX(score),
        MIN(CASE WHEN status = 'correct' THEN at END) FROM attempts
        WHERE session_id IN (OLD.session_id, NEW.session_id)
        AND task_id IN (OLD.task_id, NEW.task_id) AND counted = 1 GROUP BY session_id, task_id;
END;
CREATE TRIGGER IF NOT EXISTS attempt_tally_delete AFTER DELETE ON attempts
BEGIN
    DELETE FROM attempt_tally WHERE session_id = OLD.session_id AND task_id = OLD.task_id;
    INSERT INTO attempt_tally SELECT session_id, task_id, COUNT(*), MAX(score),
        MIN(CASE WHEN status = 'correct' THEN at END) FROM attempts
        WHERE session_id = OLD.session_id AND task_id = OLD.task_id AND counted = 1
        GROUP BY session_id, task_id;
END;
"""

TALLY_BACKFILL = """
INSERT OR REPLACE INTO attempt_tally SELECT session_id, task_id, COUNT(*), MAX(score),
    MIN(CASE WHEN status = 'correct' THEN at END) FROM attempts WHERE counted = 1
    GROUP BY session_id, task_id
"""


def _attempt_tally(db: sqlite3.Connection) -> None:
    # Trigger bodies hold semicolons: the statements are split on "END;" instead.
    for chunk in TALLY_SCHEMA.split("END;"):
        head, _, trigger = chunk.partition("CREATE TRIGGER")
        for statement in head.split(";"):
            if statement.strip():
                db.execute(statement)
        if trigger.strip():
            db.execute("CREATE TRIGGER" + trigger + "END;")
    db.execute(TALLY_BACKFILL)


def _sql(script: str) -> Step:
    statements = [s.strip() for s in script.split(";") if s.strip()]

    def step(db: sqlite3.Connection) -> None:
        # executescript would COMMIT the open transaction; run statement by statement.
        for statement in statements:
            db.execute(statement)
    return step


# Index i holds the step from version i to version i + 1.
MIGRATIONS: list[Step] = [
    _sql(BASELINE),
    _sql(CLASS_META_AND_LOGINS),
    _attempt_tally,  # 3: per-task attempt tally (issue 10.13: answers cost O(1) in attempts)
    # 4: a session's events by kind: grants are read on every answer, and a class server's
    # events table holds every seat's history.
    _sql("CREATE INDEX IF NOT EXISTS events_by_session ON events (session_id, kind)"),
]


def version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: Path, steps: list[Step] | None = None) -> int:
    """Bring the database at ``path`` to the newest version; the version reached.

    Raises:
        StoreError: the file was written by a newer dflab, or a step failed (the
        database then keeps the last version completed).
    """
    steps = MIGRATIONS if steps is None else steps
    while True:
        # Re-read under the write lock: two processes opening an old file upgrade it once.
        db.execute("BEGIN IMMEDIATE")
        current = version(db)
        if current >= len(steps):
            db.execute("ROLLBACK")
            break
        try:
            steps[current](db)
            db.execute(f"PRAGMA user_version = {current + 1}")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise StoreError(f"upgrading the session database to version {current + 1} "
                             f"failed: {exc}", where=str(path),
                             fix=f"keep a copy (cp {path} {path}.bak) and report this") from None
        db.execute("COMMIT")
    if current > len(steps):
        raise StoreError(f"the session database has schema version {current}, newer than "
                         f"this dflab knows ({len(steps)})", where=str(path),
                         fix="upgrade dflab ('git pull && make install'), or use another --home")
    return current


__all__ = ["MIGRATIONS", "migrate", "version"]
