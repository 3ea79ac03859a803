"""The session store: one SQLite file holding sessions, attempts, hints and events.

Every accepted answer is committed before the trainee sees its verdict, so a
killed runner loses nothing. WAL mode plus ``BEGIN IMMEDIATE`` lets several
``lab`` commands write at once without corrupting or dropping an attempt.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.errors import NotFoundError, RefusedError, StoreError, UsageError
from runner.home import secure_file
from runner.session.migrations import migrate

MIN_DB_BYTES = 512
# How long a command waits for another process's write lock before saying so.
BUSY_TIMEOUT = 10.0


TALLY_SQL = ("SELECT n, best, correct_at FROM attempt_tally WHERE session_id = ?"
             " AND task_id = ?")
SOLVED_SQL = ("SELECT task_id FROM attempt_tally WHERE session_id = ?"
              " AND correct_at IS NOT NULL")


@dataclass(frozen=True)
class SessionRow:
    id: str
    scenario_id: str
    scenario_path: str
    scenario_sha256: str
    title: str
    lang: str
    trainee: str
    seat: str
    backend: str
    lab_ref: str
    status: str
    created_at: float
    updated_at: float
    meta: dict[str, Any]


@dataclass(frozen=True)
class Attempt:
    id: int
    task_id: str
    at: float
    kind: str
    raw: str
    normalized: str | None
    status: str
    score: float
    feedback: str
    counted: bool


class Store:
    """Access to the SQLite session store at ``path`` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # One connection is shared by the service's threads; sqlite3 wants them serialised.
        self._lock = threading.RLock()
        path.parent.mkdir(parents=True, exist_ok=True)
        _refuse_damaged(path)
        try:
            # Answer keys and password hashes live here: the owner alone reads it, and
            # SQLite gives its -wal and -shm files the database file's mode.
            secure_file(path)
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                       check_same_thread=False)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StoreError(f"cannot open the session database ({exc})", where=str(path),
                             fix="check the folder's owner and free disk space") from None
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            migrate(self._db, path)
        except StoreError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(
                f"the session database is unreadable ({exc})",
                where=str(path),
                fix=f"move it aside (mv {path} {path}.broken); dflab starts a new one and "
                "nothing in the old file is touched",
            ) from None
        self._identity = _identity(path)
        self.broken: str | None = None

    def check(self) -> None:
        """Raise :class:`StoreError` when the file under us was truncated, replaced or
        removed since it was opened: writing on would acknowledge answers that are lost."""
        if self.broken is None:
            try:
                if _identity(self.path) != self._identity:
                    self.broken = "was replaced or removed"
                elif _truncated(self.path):
                    self.broken = "was truncated"
            except OSError:
                self.broken = "was removed"
        if self.broken is not None:
            raise StoreError(f"the session database {self.broken} while dflab was using it; "
                             "no more answers are accepted", where=str(self.path),
                             fix="stop dflab, restore sessions.db from a backup (or move it "
                             "aside), then start it again")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock at once (no lost updates)."""
        with self._lock:
            self.check()
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot write the session database: {exc}",
                                 where=str(self.path),
                                 fix="check free disk space and that no other program locks it"
                                 ) from None
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                try:
                    self.check()  # the file may have gone while we wrote: do not acknowledge
                except StoreError:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        self.check()
        try:
            with self._lock:
                return list(self._db.execute(sql, args))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read the session database: {exc}", where=str(self.path),
                             fix=f"move it aside (mv {self.path} {self.path}.broken)") from None

    # -- sessions -----------------------------------------------------------------

    def create_session(self, **fields: Any) -> str:
        session_id = fields.pop("id", None) or uuid.uuid4().hex[:12]
        now = time.time()
        meta = json.dumps(fields.pop("meta", {}))
        with self.tx() as db:
            db.execute(
                "INSERT INTO sessions (id, scenario_id, scenario_path, scenario_sha256, title,"
                " lang, trainee, seat, backend, lab_ref, status, created_at, updated_at, meta)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (session_id, fields["scenario_id"], fields["scenario_path"],
                 fields["scenario_sha256"], fields["title"], fields["lang"], fields["trainee"],
                 fields.get("seat", ""), fields["backend"], fields.get("lab_ref", ""),
                 "active", now, now, meta),
            )
            db.execute("INSERT INTO events (session_id, at, kind, detail) VALUES (?,?,?,?)",
                       (session_id, now, "created", "{}"))
        return session_id

    def session(self, session_id: str) -> SessionRow:
        rows = self.query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            rows = self.query("SELECT * FROM sessions WHERE id LIKE ? ORDER BY created_at DESC",
                              (session_id + "%",))
            if len(rows) != 1:
                raise NotFoundError(f"no session '{session_id}'",
                                    fix="'dflab status' lists the sessions")
        return _session(rows[0])

    def sessions(self, status: str | None = None) -> list[SessionRow]:
        if status:
            rows = self.query("SELECT * FROM sessions WHERE status = ? ORDER BY created_at",
                              (status,))
        else:
            rows = self.query("SELECT * FROM sessions ORDER BY created_at")
        return [_session(r) for r in rows]

    def update_session(self, session_id: str, **fields: Any) -> None:
        if "meta" in fields:
            fields["meta"] = json.dumps(fields["meta"])
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.tx() as db:
            db.execute(f"UPDATE sessions SET {cols}, updated_at = ? WHERE id = ?",
                       (*fields.values(), time.time(), session_id))

    def event(self, session_id: str, kind: str, **detail: Any) -> None:
        with self.tx() as db:
            db.execute("INSERT INTO events (session_id, at, kind, detail) VALUES (?,?,?,?)",
                       (session_id, time.time(), kind, json.dumps(detail, default=str)))

    def events(self, session_id: str) -> list[dict[str, Any]]:
        rows = self.query("SELECT at, kind, detail FROM events WHERE session_id = ? ORDER BY id",
                          (session_id,))
        return [{"at": r["at"], "kind": r["kind"], **json.loads(r["detail"])} for r in rows]

    # -- keys (host only) ---------------------------------------------------------

    def save_keys(self, session_id: str, keys: dict[str, tuple[dict[str, Any], dict[str, Any]]]
                  ) -> None:
        with self.tx() as db:
            for task_id, (key, provenance) in keys.items():
                db.execute("INSERT OR REPLACE INTO keys VALUES (?,?,?,?)",
                           (session_id, task_id, json.dumps(key), json.dumps(provenance)))

    def keys(self, session_id: str) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        rows = self.query("SELECT task_id, key_json, provenance FROM keys WHERE session_id = ?",
                          (session_id,))
        return {r["task_id"]: (json.loads(r["key_json"]), json.loads(r["provenance"]))
                for r in rows}

    # -- evidence -----------------------------------------------------------------

    def record_evidence(self, session_id: str, name: str, path: str, sha256: str,
                        moment: str, actual: str) -> None:
        column = "at_start" if moment == "start" else "at_stop"
        with self.tx() as db:
            db.execute("INSERT OR IGNORE INTO evidence (session_id, name, path, sha256)"
                       " VALUES (?,?,?,?)", (session_id, name, path, sha256))
            db.execute(f"UPDATE evidence SET {column} = ? WHERE session_id = ? AND name = ?",
                       (actual, session_id, name))

    def evidence(self, session_id: str) -> list[dict[str, Any]]:
        rows = self.query("SELECT name, path, sha256, at_start, at_stop FROM evidence"
                          " WHERE session_id = ? ORDER BY name", (session_id,))
        return [dict(r) for r in rows]

    # -- attempts and hints ------------------------------------------------------

    def attempts(self, session_id: str, task_id: str | None = None) -> list[Attempt]:
        sql = "SELECT * FROM attempts WHERE session_id = ?"
        args: tuple[Any, ...] = (session_id,)
        if task_id is not None:
            sql, args = sql + " AND task_id = ?", (*args, task_id)
        return [_attempt(r) for r in self.query(sql + " ORDER BY id", args)]

    def add_attempt(self, session_id: str, task_id: str, *, kind: str, raw: str,
                    normalized: str | None, status: str, score: float, feedback: str,
                    counted: bool, limit: int | None) -> int:
        """Store one attempt atomically, re-checking the limit and 'already solved' inside
        the transaction so concurrent answers cannot slip past either."""
        with self.tx() as db:
            if counted:
                row = db.execute("SELECT n, correct_at FROM attempt_tally"
                                 " WHERE session_id = ? AND task_id = ?",
                                 (session_id, task_id)).fetchone()
                used, solved = (row["n"], row["correct_at"] is not None) if row else (0, False)
                if solved:
                    raise RefusedError(f"task '{task_id}' is already solved",
                                       fix="'lab tasks' shows what is left")
                if limit is not None and used >= limit:
                    raise RefusedError(f"no attempts left for task '{task_id}' ({limit} used)",
                                       fix="move on to another task; 'lab score' shows where "
                                       "you stand")
            cur = db.execute(
                "INSERT INTO attempts (session_id, task_id, at, kind, raw, normalized, status,"
                " score, feedback, counted) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (session_id, task_id, time.time(), kind, raw, normalized, status, score,
                 feedback, int(counted)))
            return int(cur.lastrowid or 0)

    def add_hint(self, session_id: str, task_id: str, available: list[float]) -> int:
        """Take the next hint of a task; returns its index. Raises when none is left."""
        with self.tx() as db:
            taken = db.execute("SELECT COUNT(*) FROM hints WHERE session_id = ? AND task_id = ?",
                               (session_id, task_id)).fetchone()[0]
            if taken >= len(available):
                raise RefusedError(f"no more hints for task '{task_id}'",
                                   fix="'lab show ID' repeats the hints you already took")
            db.execute("INSERT INTO hints VALUES (?,?,?,?,?)",
                       (session_id, task_id, taken, time.time(), available[taken]))
            return int(taken)

    def tally(self, session_id: str, task_id: str) -> tuple[int, float, float | None]:
        """Count, best score and first correct time of a task's counted attempts."""
        rows = self.query(TALLY_SQL, (session_id, task_id))
        if not rows:
            return 0, 0.0, None
        row = rows[0]
        return int(row["n"]), float(row["best"]), row["correct_at"]

    def solved(self, session_id: str) -> set[str]:
        """Ids of the tasks with a correct attempt (cheap: used on every answer)."""
        rows = self.query(SOLVED_SQL, (session_id,))
        return {r["task_id"] for r in rows}

    def task_hints(self, session_id: str, task_id: str) -> list[tuple[int, float, float]]:
        rows = self.query("SELECT idx, at, cost FROM hints WHERE session_id = ? AND task_id = ?"
                          " ORDER BY idx", (session_id, task_id))
        return [(r["idx"], r["at"], r["cost"]) for r in rows]

    def hints(self, session_id: str) -> dict[str, list[tuple[int, float, float]]]:
        out: dict[str, list[tuple[int, float, float]]] = {}
        for r in self.query("SELECT task_id, idx, at, cost FROM hints WHERE session_id = ?"
                            " ORDER BY task_id, idx", (session_id,)):
            out.setdefault(r["task_id"], []).append((r["idx"], r["at"], r["cost"]))
        return out

    # -- attempt grants (stored as events: no schema change) ----------------------

    def grant_attempts(self, session_id: str, task_id: str, attempts: int,
                       by: str = "trainer") -> int:
        """Give one session ``attempts`` more tries at one task; answers are kept.

        Recorded as a ``grant`` event (so reports can show it). Returns the total
        extra attempts the task now has in this session.

        Raises:
            UsageError: ``attempts`` is not a positive number.
            NotFoundError: no such session or task.
        """
        if attempts < 1:
            raise UsageError("--attempts must be 1 or more", fix="e.g. --attempts 1")
        row = self.session(session_id)
        if task_id not in self.keys(row.id):
            known = ", ".join(sorted(self.keys(row.id))) or "(none)"
            raise NotFoundError(f"session {row.id} has no task '{task_id}'",
                                fix=f"use one of: {known}")
        self.event(row.id, "grant", task=task_id, attempts=attempts, by=by)
        return self.grants(row.id).get(task_id, 0)

    def grants(self, session_id: str) -> dict[str, int]:
        """Extra attempts granted per task in one session (summed over its grant events)."""
        rows = self.query("SELECT detail FROM events WHERE session_id = ? AND kind = 'grant'",
                          (session_id,))
        out: dict[str, int] = {}
        for r in rows:
            detail = json.loads(r["detail"])
            out[detail["task"]] = out.get(detail["task"], 0) + int(detail["attempts"])
        return out

    def attempt_counts(self, session_id: str) -> dict[str, int]:
        """Counted attempts per task (what attempt limits are measured against)."""
        rows = self.query("SELECT task_id, n FROM attempt_tally WHERE session_id = ?",
                          (session_id,))
        return {r["task_id"]: int(r["n"]) for r in rows}


def _identity(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino


def _truncated(path: Path) -> bool:
    # Smaller than one page: an SQLite file once written never shrinks below that.
    return path.stat().st_size < MIN_DB_BYTES


def _refuse_damaged(path: Path) -> None:
    """A present but empty file is an accident to report, never a database to re-create
    silently (that would hide every answer it held). Only ``stat``: opening and closing
    the file here would drop the fcntl locks another connection of this process holds."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        raise StoreError("the session database is unreadable: it is empty (0 bytes)",
                         where=str(path), fix=f"restore it from a backup, or move it aside "
                         f"(mv {path} {path}.broken) to start a new one")


def _session(row: sqlite3.Row) -> SessionRow:
    data = dict(row)
    data["meta"] = json.loads(data["meta"] or "{}")
    return SessionRow(**data)


def _attempt(row: sqlite3.Row) -> Attempt:
    data = dict(row)
    data.pop("session_id")
    data["counted"] = bool(data["counted"])
    return Attempt(**data)
