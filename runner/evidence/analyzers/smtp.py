"""``smtp``: SMTP envelopes (HELO, MAIL FROM, RCPT TO) and the messages sent after DATA.

The client side of each SMTP connection is read line by line; the text between
``DATA`` and the line holding a single dot is one message (dot-stuffing undone),
parsed with the standard library's :mod:`email` package. Encrypted sessions
(``STARTTLS``) end the readable part.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import hashlib
import re
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.proto.lines import Line, replies, side_lines
from runner.evidence.streams import Stream

SMTP_PORTS = frozenset({25, 587, 2525})
_ADDRESS = re.compile(r"<([^>]*)>")


def _address(argument: str) -> str:
    """The address of ``FROM:<a@b> SIZE=1`` / ``TO:<a@b>``."""
    found = _ADDRESS.search(argument)
    if found:
        return found.group(1)
    return argument.split(":", 1)[-1].strip().split(" ")[0]


@register
class Smtp(Analyzer):
    """SMTP client streams on ports 25, 587 and 2525."""

    name = "smtp"
    description = "SMTP envelopes (HELO, MAIL FROM, RCPT TO) and the messages sent"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "envelopes": (
            Field("frame", "int", "frame of MAIL FROM"),
            Field("time", "str", "UTC time of MAIL FROM"),
            Field("client", "str", "client address"),
            Field("server", "str", "server address"),
            Field("server_port", "int", "server port"),
            Field("helo", "str", "name the client gave in HELO/EHLO"),
            Field("mail_from", "str", "envelope sender"),
            Field("rcpt_to", "str", "envelope recipients, comma separated"),
            Field("status", "int", "server's reply to the end of the message, -1"),
        ),
        "messages": (
            Field("frame", "int", "frame ending the message (the lone dot)"),
            Field("time", "str", "UTC time of that frame"),
            Field("client", "str", "client address"),
            Field("server", "str", "server address"),
            Field("mail_from", "str", "envelope sender"),
            Field("rcpt_to", "str", "envelope recipients, comma separated"),
            Field("from", "str", "From: header"),
            Field("to", "str", "To: header"),
            Field("cc", "str", "Cc: header"),
            Field("subject", "str", "Subject: header, decoded"),
            Field("date", "str", "Date: header as written"),
            Field("message_id", "str", "Message-ID: header"),
            Field("mailer", "str", "X-Mailer or User-Agent header"),
            Field("attachments", "str", "attachment file names, comma separated"),
            Field("size", "int", "message bytes (headers and body, after un-stuffing)"),
            Field("sha256", "str", "SHA-256 of the message bytes"),
        ),
    }
    tcp_ports = SMTP_PORTS

    def setup(self) -> None:
        self.envelopes = self.new_table("envelopes")
        self.messages = self.new_table("messages")

    def on_stream(self, stream: Stream) -> None:
        flow = stream.flow
        where = {"client": ip_text(flow.src), "server": ip_text(flow.dst)}
        finals = [(code, line) for code, _text, line in replies(stream.server)]
        helo, envelope, body_from = "", None, -1
        envelopes: list[dict[str, Any]] = []  # rows are copied on append: add them at the end
        lines = side_lines(stream.client)
        for i, line in enumerate(lines):
            if body_from >= 0:
                if line.text == ".":
                    assert envelope is not None
                    raw = _unstuff(stream.client.data[lines[body_from].offset:line.offset])
                    envelope["status"] = _reply_after(finals, line.frame)
                    self._message(raw, line, envelope, where)
                    body_from = -1
                continue
            verb, _, argument = line.text.partition(" ")
            verb = verb.upper()
            if verb in ("HELO", "EHLO"):
                helo = argument.strip()
            elif verb == "MAIL":
                envelope = {"frame": line.frame, "time": iso_time(line.ts), **where,
                            "server_port": flow.dport, "helo": helo,
                            "mail_from": _address(argument), "rcpt_to": "", "status": -1}
                envelopes.append(envelope)
            elif verb == "RCPT" and envelope is not None:
                to = _address(argument)
                envelope["rcpt_to"] = f"{envelope['rcpt_to']},{to}".strip(",")
            elif verb == "DATA" and envelope is not None and i + 1 < len(lines):
                body_from = i + 1
            elif verb == "STARTTLS":
                break
        for row in envelopes:
            self.envelopes.append(row)

    def _message(self, raw: bytes, end: Line, envelope: dict[str, Any],
                 where: dict[str, str]) -> None:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        try:
            names = [part.get_filename() or "" for part in msg.walk()
                     if part.get_content_disposition() == "attachment"]
        except (ValueError, IndexError, TypeError, AttributeError, email.errors.MessageError):
            # The stdlib parser has known crashes on some malformed headers: damage, not a bug.
            self.warn(end.frame, "attachment headers of an SMTP message could not be read")
            names = []
        self.messages.append({
            "frame": end.frame, "time": iso_time(end.ts), **where,
            "mail_from": envelope["mail_from"], "rcpt_to": envelope["rcpt_to"],
            "from": _header(msg, "From"), "to": _header(msg, "To"), "cc": _header(msg, "Cc"),
            "subject": _header(msg, "Subject"), "date": _header(msg, "Date"),
            "message_id": _header(msg, "Message-ID"),
            "mailer": _header(msg, "X-Mailer") or _header(msg, "User-Agent"),
            "attachments": ",".join(n for n in names if n),
            "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
        })

    def finish(self) -> Tables:
        return {"envelopes": self.envelopes.sort_by("frame"),
                "messages": self.messages.sort_by("frame")}


def _header(msg: Any, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError, AttributeError, email.errors.MessageError):
        value = ""  # a header the stdlib parser cannot decode (damage, reported as empty)
    return " ".join(str(value or "").split())


def _unstuff(raw: bytes) -> bytes:
    """Undo SMTP dot-stuffing (RFC 5321 4.5.2): a leading '..' stands for '.'."""
    return re.sub(rb"(^|\n)\.\.", rb"\1.", raw)


def _reply_after(finals: list[tuple[int, Line]], frame: int) -> int:
    return next((code for code, line in finals if line.frame > frame), -1)
