"""Classes, seats, seat labs and offline grades: tables beside the sessions in one SQLite file.

The tables live in the session store (see :mod:`runner.home`) so a class, its seats and
every attempt of every seat are backed up, copied and restored together.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.classroom.roster import Trainee
from runner.errors import NotFoundError, UsageError
from runner.home import Home
from runner.session.store import Store

# Tables a class owns, emptied by ``class delete`` (sessions stay: the audit trail).
_PREPARED = "variant:"  # class_meta keys of variants made ahead
CLASS_TABLES = ("class_logins", "class_meta", "class_grades", "class_labs", "class_seats")


@dataclass(frozen=True)
class ClassRow:
    """A class: its scenarios (id -> file), time box and whether results are frozen."""

    name: str
    scenarios: dict[str, str]
    minutes: int | None
    lang: str
    created_at: float
    frozen: bool
    collected_at: float | None


@dataclass(frozen=True)
class SeatRow:
    """One seat: who sits there, the seat's clock, and its state."""

    cls: str
    seat: str
    trainee_id: str
    name: str
    email: str
    lang: str
    pw_hash: str
    pubkeys: str
    seed: int
    status: str  # created | running | failed | paused | stopped | ended
    started_at: float | None
    extra_seconds: float
    paused_at: float | None

    def deadline(self, minutes: int | None) -> float | None:
        """When answering closes (None: no time box, or the seat has not started)."""
        if minutes is None or self.started_at is None:
            return None
        return self.started_at + minutes * 60 + self.extra_seconds

    def time_left(self, minutes: int | None, now: float | None = None) -> float | None:
        """Seconds left; a paused seat's clock stands still."""
        end = self.deadline(minutes)
        if end is None:
            return None
        at = self.paused_at if self.paused_at is not None else (now or time.time())
        return max(0.0, end - at)


@dataclass(frozen=True)
class LabRow:
    seat: str
    scenario_id: str
    session_id: str
    error: str


class ClassStore:
    """Class tables over a :class:`Store` (same file, same locking)."""

    def __init__(self, store: Store) -> None:
        self.store = store  # the tables are made by the store's migrations

    @classmethod
    def open(cls, home: Path) -> ClassStore:
        """The class tables of the dflab home at ``home``, on their own connection."""
        return Home(home).classes()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> ClassStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- classes -------------------------------------------------------------------

    def create(self, name: str, scenarios: dict[str, str], minutes: int | None, lang: str,
               seats: list[tuple[Trainee, str, int]]) -> None:
        """Create a class and its seats (trainee, password hash, seed) in one transaction."""
        with self.store.tx() as db:
            if db.execute("SELECT 1 FROM classes WHERE name = ?", (name,)).fetchone():
                raise UsageError(f"a class called '{name}' already exists",
                                 fix="choose another name ('dflab class list' shows them)")
            db.execute("INSERT INTO classes VALUES (?,?,?,?,?,0,NULL)",
                       (name, json.dumps(scenarios), minutes, lang, time.time()))
            for trainee, pw_hash, seed in seats:
                db.execute(
                    "INSERT INTO class_seats (class, seat, trainee_id, name, email, lang,"
                    " pw_hash, seed, status) VALUES (?,?,?,?,?,?,?,?, 'created')",
                    (name, trainee.seat, trainee.trainee_id, trainee.name, trainee.email,
                     trainee.lang or lang, pw_hash, seed))
                for scenario_id in scenarios:
                    db.execute("INSERT INTO class_labs (class, seat, scenario_id) VALUES (?,?,?)",
                               (name, trainee.seat, scenario_id))

    def get(self, name: str) -> ClassRow:
        rows = self.store.query("SELECT * FROM classes WHERE name = ?", (name,))
        if not rows:
            raise NotFoundError(f"no class '{name}'",
                                fix="'dflab class list' shows the classes; "
                                "'dflab class create' makes one")
        r = rows[0]
        return ClassRow(r["name"], json.loads(r["scenarios"]), r["minutes"], r["lang"],
                        r["created_at"], bool(r["frozen"]), r["collected_at"])

    def classes(self) -> list[ClassRow]:
        names = [r["name"] for r in self.store.query("SELECT name FROM classes ORDER BY name")]
        return [self.get(n) for n in names]

    def freeze(self, name: str) -> None:
        with self.store.tx() as db:
            db.execute("UPDATE classes SET frozen = 1, collected_at = ? WHERE name = ?",
                       (time.time(), name))

    def delete(self, name: str) -> None:
        """Forget a class, its seats, labs, grades and logins (its sessions are kept)."""
        with self.store.tx() as db:
            for table in CLASS_TABLES:
                db.execute(f"DELETE FROM {table} WHERE class = ?", (name,))
            db.execute("DELETE FROM classes WHERE name = ?", (name,))

    # Options and marks of a class, in their own table so old homes need no migration:
    # ``clock`` (``start`` or ``first-login``) and ``exported_at``.

    def set_meta(self, name: str, key: str, value: str) -> None:
        with self.store.tx() as db:
            db.execute("INSERT OR REPLACE INTO class_meta VALUES (?,?,?)", (name, key, value))

    def meta(self, name: str, key: str, default: str = "") -> str:
        rows = self.store.query("SELECT value FROM class_meta WHERE class = ? AND key = ?",
                                (name, key))
        return str(rows[0]["value"]) if rows else default

    # Variants made at ``class create`` (see :mod:`runner.classroom.variants`): the
    # session id whose variant folder holds a seat's variant of a scenario.

    def set_prepared(self, name: str, seat: str, scenario_id: str, session_id: str) -> None:
        self.set_meta(name, f"{_PREPARED}{seat}:{scenario_id}", session_id)

    def prepared(self, name: str) -> dict[tuple[str, str], str]:
        """(seat, scenario id) -> the session id its variant was made for, while no session
        took it (a seat's lab started again after it ended gets a new variant folder)."""
        rows = self.store.query("SELECT key, value FROM class_meta WHERE class = ? AND key"
                                " LIKE ? AND value NOT IN (SELECT id FROM sessions)",
                                (name, f"{_PREPARED}%"))
        out = {}
        for r in rows:
            seat, _, scenario_id = str(r["key"])[len(_PREPARED):].rpartition(":")
            out[(seat, scenario_id)] = str(r["value"])
        return out

    # -- SSH logins (written by ``class serve``, read by the board) -------------------

    def login_opened(self, name: str, seat: str, peer: str) -> int:
        """Record a login; its row id, to close it when the connection ends."""
        with self.store.tx() as db:
            cur = db.execute("INSERT INTO class_logins VALUES (?,?,?,?,NULL)",
                             (name, seat, peer, time.time()))
            return int(cur.lastrowid or 0)

    def login_closed(self, login_id: int) -> None:
        with self.store.tx() as db:
            db.execute("UPDATE class_logins SET ended_at = ? WHERE rowid = ?",
                       (time.time(), login_id))

    def close_logins(self, name: str) -> None:
        """Mark every open login of a class ended (a server starting after a crash)."""
        with self.store.tx() as db:
            db.execute("UPDATE class_logins SET ended_at = ? WHERE class = ?"
                       " AND ended_at IS NULL", (time.time(), name))

    def connected(self, name: str) -> dict[str, int]:
        """Open SSH connections per seat."""
        rows = self.store.query("SELECT seat, COUNT(*) AS n FROM class_logins WHERE class = ?"
                                " AND ended_at IS NULL GROUP BY seat", (name,))
        return {r["seat"]: int(r["n"]) for r in rows}

    def start_clock(self, name: str, seat: str, now: float) -> bool:
        """Start a running seat's clock if it has not started (first login); whether it did."""
        with self.store.tx() as db:
            cur = db.execute("UPDATE class_seats SET started_at = ? WHERE class = ? AND seat = ?"
                             " AND started_at IS NULL AND status = 'running'", (now, name, seat))
            return cur.rowcount > 0

    # -- seats ---------------------------------------------------------------------

    def seats(self, name: str) -> list[SeatRow]:
        rows = self.store.query("SELECT * FROM class_seats WHERE class = ? ORDER BY seat",
                                (name,))
        return [_seat(r) for r in rows]

    def seat(self, name: str, seat: str) -> SeatRow:
        rows = self.store.query("SELECT * FROM class_seats WHERE class = ? AND seat = ?",
                                (name, seat))
        if not rows:
            raise NotFoundError(f"no seat '{seat}' in class '{name}'",
                                fix=f"'dflab class status {name}' lists the seats")
        return _seat(rows[0])

    def update_seat(self, name: str, seat: str, **fields: Any) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.store.tx() as db:
            db.execute(f"UPDATE class_seats SET {cols} WHERE class = ? AND seat = ?",
                       (*fields.values(), name, seat))

    def shift_clock(self, name: str, seat: str, seconds: float, **fields: Any) -> None:
        """Add ``seconds`` to a seat's time (atomically) and set other fields."""
        sets = "".join(f", {k} = ?" for k in fields)
        with self.store.tx() as db:
            db.execute(f"UPDATE class_seats SET extra_seconds = extra_seconds + ?{sets}"
                       " WHERE class = ? AND seat = ?", (seconds, *fields.values(), name, seat))

    # -- labs (one session per seat and scenario) --------------------------------------

    def labs(self, name: str, seat: str | None = None) -> list[LabRow]:
        sql = "SELECT * FROM class_labs WHERE class = ?"
        args: tuple[str, ...] = (name,)
        if seat is not None:
            sql, args = sql + " AND seat = ?", (name, seat)
        rows = self.store.query(sql + " ORDER BY seat, scenario_id", args)
        return [LabRow(r["seat"], r["scenario_id"], r["session_id"], r["error"]) for r in rows]

    def set_lab(self, name: str, seat: str, scenario_id: str, *, session_id: str | None = None,
                error: str = "") -> None:
        with self.store.tx() as db:
            if session_id is None:
                db.execute("UPDATE class_labs SET error = ? WHERE class = ? AND seat = ?"
                           " AND scenario_id = ?", (error, name, seat, scenario_id))
            else:
                db.execute("UPDATE class_labs SET session_id = ?, error = ? WHERE class = ?"
                           " AND seat = ? AND scenario_id = ?",
                           (session_id, error, name, seat, scenario_id))

    def seat_of_session(self, session_id: str) -> tuple[str, str] | None:
        rows = self.store.query("SELECT class, seat FROM class_labs WHERE session_id = ?",
                                (session_id,))
        return (rows[0]["class"], rows[0]["seat"]) if rows else None

    # -- offline grades ------------------------------------------------------------

    def record_grades(self, name: str, rows: list[tuple[str, str, str, str, float, float, str]]
                      ) -> None:
        """Store (seat, scenario, task, status, earned, points, source) rows, replacing any."""
        now = time.time()
        with self.store.tx() as db:
            for row in rows:
                db.execute("INSERT OR REPLACE INTO class_grades VALUES (?,?,?,?,?,?,?,?,?)",
                           (name, *row, now))

    def grades(self, name: str) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
        """Offline results by (seat, scenario) then task id."""
        out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        for r in self.store.query("SELECT * FROM class_grades WHERE class = ?", (name,)):
            out.setdefault((r["seat"], r["scenario_id"]), {})[r["task_id"]] = dict(r)
        return out


def _seat(r: Any) -> SeatRow:
    return SeatRow(r["class"], r["seat"], r["trainee_id"], r["name"], r["email"], r["lang"],
                   r["pw_hash"], r["pubkeys"], r["seed"], r["status"], r["started_at"],
                   r["extra_seconds"], r["paused_at"])
