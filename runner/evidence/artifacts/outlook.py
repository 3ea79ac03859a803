"""Outlook ``.msg`` files (OLE compound files) read with extract-msg, the maintained
reader on PyPI, into the same :class:`MailMessage` as RFC 5322 mail."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runner.errors import EvidenceError
from runner.evidence.artifacts.mailread import Attachment, MailMessage


def read_msg(path: Path, warn: Callable[[str], None]) -> MailMessage:
    """The message in an Outlook .msg file.

    Raises:
        EvidenceError: the file is not a readable .msg.
    """
    import extract_msg

    logging.getLogger("extract_msg").setLevel(logging.CRITICAL)  # its notes go to warnings
    try:
        msg: Any = extract_msg.openMsg(str(path), delayAttachments=False)
    except Exception as exc:
        raise EvidenceError(f"cannot read the Outlook message: {exc}", where=str(path),
                            fix="check the file (`file FILE` should say CDFV2 Outlook)") from None
    try:
        headers = list(msg.header.items()) if msg.header is not None else []
        for name, value in (("From", msg.sender), ("To", msg.to), ("Cc", msg.cc),
                            ("Subject", msg.subject), ("Message-ID", msg.messageId)):
            if value and not any(k.lower() == name.lower() for k, _ in headers):
                headers.append((name, str(value)))
        if msg.date is not None and not any(k.lower() == "date" for k, _ in headers):
            from email.utils import format_datetime

            headers.append(("Date", format_datetime(msg.date)))
        out = MailMessage(0, 0, [(k, " ".join(str(v).split())) for k, v in headers])
        _attachments(msg, out, path, warn)
        if msg.body:
            out.texts.append(("text/plain", str(msg.body)))
        html = msg.htmlBody
        if html:
            out.texts.append(("text/html", html.decode("utf-8", "replace")
                              if isinstance(html, bytes) else str(html)))
        return out
    finally:
        msg.close()


def _attachments(msg: object, out: MailMessage, path: Path, warn: Callable[[str], None]) -> None:
    for att in getattr(msg, "attachments", []):
        data = getattr(att, "data", None)
        if not isinstance(data, bytes):  # an embedded message or a broken stream
            warn(f"{path}: attachment {getattr(att, 'longFilename', '')!r} has no plain "
                 "data (embedded message or damaged stream); listed without a hash")
            data = b""
        name = att.longFilename or att.shortFilename or ""
        out.attachments.append(Attachment(name, getattr(att, "mimetype", None) or "",
                                          "attachment", len(data),
                                          hashlib.sha256(data).hexdigest()))
