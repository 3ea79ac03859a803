"""Android SMS/MMS provider (mmssms.db): text messages and MMS with their text parts."""

from __future__ import annotations

import sqlite3
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import timefmt
from runner.evidence.artifacts.extract import SqlExtractor
from runner.evidence.artifacts.sqlitedb import columns, integer, text

# Telephony.TextBasedSmsColumns.TYPE / Telephony.BaseMmsColumns.MESSAGE_BOX
SMS_TYPES = {1: "received", 2: "sent", 3: "draft", 4: "outbox", 5: "failed", 6: "queued"}
_TIME = "UTC ISO 8601 with nanoseconds ('' when 0)"


@register
class AndroidSmsAnalyzer(SqlExtractor):
    name = "android_sms"
    version = "1"
    description = "Android mmssms.db: SMS and MMS messages"
    needs: ClassVar[dict[str, frozenset[str]]] = {
        "sms": frozenset({"_id", "address", "date", "type", "body"}),
    }
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "sms": (
            Field("id", "int", "sms._id"),
            Field("thread", "int", "conversation (thread_id)"),
            Field("address", "str", "the other party's number as stored"),
            Field("time", "str", f"date (milliseconds since 1970) in UTC; {_TIME}"),
            Field("sent_time", "str", f"date_sent, when the sender sent it; {_TIME}"),
            Field("type", "int", "type: 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued"),
            Field("direction", "str", "received, sent, draft, outbox, failed, queued"),
            Field("read", "bool", "read flag"),
            Field("body", "str", "message text"),
        ),
        "mms": (
            Field("id", "int", "pdu._id"),
            Field("thread", "int", "conversation (thread_id)"),
            Field("time", "str", f"date (seconds since 1970) in UTC; {_TIME}"),
            Field("box", "int", "msg_box: 1 inbox, 2 sent, 3 draft, 4 outbox"),
            Field("direction", "str", "received, sent, draft, outbox"),
            Field("addresses", "str", "addr rows' addresses, comma separated"),
            Field("subject", "str", "sub"),
            Field("text", "str", "text/plain parts joined"),
            Field("attachments", "str", "other parts' names (name, fn or cl), comma separated"),
        ),
    }

    def extract(self, db: sqlite3.Connection, present: set[str]) -> None:
        date_sent = "date_sent" if "date_sent" in columns(db, "sms") else "0"
        for r in self.query(db, f"SELECT _id, thread_id, address, date, {date_sent} AS sent, "
                            "type, read, body FROM sms ORDER BY _id"):
            kind = integer(r["type"])
            self.rows["sms"].append({
                "id": integer(r["_id"]), "thread": integer(r["thread_id"]),
                "address": text(r["address"]), "time": timefmt.unix_ms(r["date"]),
                "sent_time": timefmt.unix_ms(r["sent"]), "type": kind,
                "direction": SMS_TYPES.get(kind, str(kind)), "read": integer(r["read"], 0) == 1,
                "body": text(r["body"]),
            })
        if {"pdu", "part", "addr"} <= present:
            self._mms(db)

    def _mms(self, db: sqlite3.Connection) -> None:
        parts: dict[int, list[dict[str, Any]]] = {}
        for p in self.query(db, "SELECT mid, ct, name, fn, cl, text FROM part ORDER BY mid, seq"):
            parts.setdefault(integer(p["mid"]), []).append(p)
        addrs: dict[int, list[str]] = {}
        for a in self.query(db, "SELECT msg_id, address FROM addr ORDER BY _id"):
            if text(a["address"]) and text(a["address"]) != "insert-address-token":
                addrs.setdefault(integer(a["msg_id"]), []).append(text(a["address"]))
        for r in self.query(db, "SELECT _id, thread_id, date, msg_box, sub FROM pdu ORDER BY _id"):
            mid, box = integer(r["_id"]), integer(r["msg_box"])
            mine = parts.get(mid, [])
            self.rows["mms"].append({
                "id": mid, "thread": integer(r["thread_id"]), "time": timefmt.unix_s(r["date"]),
                "box": box, "direction": SMS_TYPES.get(box, str(box)),
                "addresses": ",".join(dict.fromkeys(addrs.get(mid, []))), "subject": text(r["sub"]),
                "text": "\n".join(text(p["text"]) for p in mine if p["ct"] == "text/plain"),
                "attachments": ",".join(text(p["name"] or p["fn"] or p["cl"]) for p in mine
                                        if p["ct"] not in ("text/plain", "application/smil")),
            })
