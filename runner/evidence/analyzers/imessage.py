"""Apple Messages (iMessage/SMS) chat.db: messages with their handles, attachments."""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from runner.evidence.analyzers.base import Field
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import timefmt
from runner.evidence.artifacts.extract import SqlExtractor
from runner.evidence.artifacts.sqlitedb import integer, text


@register
class ImessageAnalyzer(SqlExtractor):
    name = "imessage"
    version = "1"
    description = "Apple Messages chat.db: messages, who sent them, attachments"
    needs: ClassVar[dict[str, frozenset[str]]] = {
        "message": frozenset({"ROWID", "text", "handle_id", "date", "is_from_me"}),
        "handle": frozenset({"ROWID", "id"}),
    }
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "messages": (
            Field("id", "int", "message.ROWID"),
            Field("handle", "str", "the other party (phone number or Apple ID)"),
            Field("service", "str", "iMessage or SMS"),
            Field("time", "str", "date (Apple time: seconds, or nanoseconds, since 2001) "
                  "in UTC ISO 8601"),
            Field("read_time", "str", "date_read in UTC ('' when never)"),
            Field("direction", "str", "sent (is_from_me) or received"),
            Field("text", "str", "message text"),
            Field("attachments", "int", "attachments joined to it"),
        ),
        "attachments": (
            Field("id", "int", "attachment.ROWID"),
            Field("message", "int", "message.ROWID it belongs to (-1 when unjoined)"),
            Field("filename", "str", "path on the device"),
            Field("transfer_name", "str", "name as sent"),
            Field("mime_type", "str", "MIME type"),
            Field("size", "int", "total_bytes"),
        ),
    }

    def extract(self, db: sqlite3.Connection, present: set[str]) -> None:
        joined = "message_attachment_join" in present
        counts = "(SELECT count(*) FROM message_attachment_join j WHERE j.message_id = " \
            "m.ROWID)" if joined else "0"
        for r in self.query(db, "SELECT m.ROWID AS id, h.id AS handle, m.service AS service, "
                            "m.date AS date, m.date_read AS read, m.is_from_me AS mine, "
                            f"m.text AS text, {counts} AS n FROM message m LEFT JOIN handle h "
                            "ON h.ROWID = m.handle_id ORDER BY m.ROWID"):
            self.rows["messages"].append({
                "id": integer(r["id"]), "handle": text(r["handle"]), "service": text(r["service"]),
                "time": timefmt.apple(r["date"]), "read_time": timefmt.apple(r["read"]),
                "direction": "sent" if integer(r["mine"], 0) == 1 else "received",
                "text": text(r["text"]), "attachments": integer(r["n"], 0),
            })
        if "attachment" in present:
            link = "(SELECT j.message_id FROM message_attachment_join j WHERE " \
                "j.attachment_id = a.ROWID LIMIT 1)" if joined else "NULL"
            for r in self.query(db, f"SELECT a.ROWID AS id, {link} AS msg, a.filename AS f, "
                                "a.transfer_name AS t, a.mime_type AS mt, a.total_bytes AS b "
                                "FROM attachment a ORDER BY a.ROWID"):
                self.rows["attachments"].append({
                    "id": integer(r["id"]), "message": integer(r["msg"]), "filename": text(r["f"]),
                    "transfer_name": text(r["t"]), "mime_type": text(r["mt"]),
                    "size": integer(r["b"]),
                })
