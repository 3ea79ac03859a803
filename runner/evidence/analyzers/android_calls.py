"""Android call log (calls table of contacts2.db or calllog.db)."""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from runner.evidence.analyzers.base import Field
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import timefmt
from runner.evidence.artifacts.extract import SqlExtractor
from runner.evidence.artifacts.sqlitedb import columns, integer, text

# android.provider.CallLog.Calls.TYPE
CALL_TYPES = {1: "incoming", 2: "outgoing", 3: "missed", 4: "voicemail", 5: "rejected",
              6: "blocked", 7: "answered_externally"}


@register
class AndroidCallsAnalyzer(SqlExtractor):
    name = "android_calls"
    version = "1"
    description = "Android call log: number, name, time, duration, direction"
    needs: ClassVar[dict[str, frozenset[str]]] = {
        "calls": frozenset({"_id", "number", "date", "duration", "type"}),
    }
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "calls": (
            Field("id", "int", "calls._id"),
            Field("number", "str", "the other party's number as stored"),
            Field("name", "str", "cached contact name ('' when none)"),
            Field("time", "str", "start (date, milliseconds since 1970) in UTC ISO 8601"),
            Field("duration", "int", "seconds"),
            Field("type", "int", "1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, "
                  "6 blocked"),
            Field("direction", "str", "incoming, outgoing, missed, voicemail, rejected, blocked"),
            Field("location", "str", "geocoded_location ('' when none)"),
        ),
    }

    def extract(self, db: sqlite3.Connection, present: set[str]) -> None:
        cols = columns(db, "calls")
        name = "name" if "name" in cols else "''"
        geo = "geocoded_location" if "geocoded_location" in cols else "''"
        for r in self.query(db, f"SELECT _id, number, {name} AS name, date, duration, type, "
                            f"{geo} AS geo FROM calls ORDER BY _id"):
            kind = integer(r["type"])
            self.rows["calls"].append({
                "id": integer(r["_id"]), "number": text(r["number"]), "name": text(r["name"]),
                "time": timefmt.unix_ms(r["date"]), "duration": integer(r["duration"]),
                "type": kind, "direction": CALL_TYPES.get(kind, str(kind)),
                "location": text(r["geo"]),
            })
