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
        return _message(msg, path, warn)
    finally:
        msg.close()


def _get(msg: Any, attr: str, path: Path, warn: Callable[[str], None]) -> Any:
    """One property of the message; a damaged stream costs a warning and gives None
    (extract-msg reads properties lazily, so damage surfaces here, not at open)."""
    try:
        return getattr(msg, attr)
    except Exception as exc:
        warn(f"{path}: Outlook property {attr} unreadable ({type(exc).__name__}: {exc})")
        return None


def _message(msg: Any, path: Path, warn: Callable[[str], None]) -> MailMessage:
    header = _get(msg, "header", path, warn)
    headers = list(header.items()) if header is not None else []
    for name, attr in (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Subject", "subject"),
                       ("Message-ID", "messageId")):
        value = _get(msg, attr, path, warn)
        if value and not any(k.lower() == name.lower() for k, _ in headers):
            headers.append((name, str(value)))
    date = _get(msg, "date", path, warn)
    if date is not None and not any(k.lower() == "date" for k, _ in headers):
        from email.utils import format_datetime

        headers.append(("Date", format_datetime(date)))
    out = MailMessage(0, 0, [(k, " ".join(str(v).split())) for k, v in headers])
    _attachments(_get(msg, "attachments", path, warn) or [], out, path, warn)
    body = _get(msg, "body", path, warn)
    if body:
        out.texts.append(("text/plain", str(body)))
    html = _get(msg, "htmlBody", path, warn)
    if html:
        out.texts.append(("text/html", html.decode("utf-8", "replace")
                          if isinstance(html, bytes) else str(html)))
    return out


def _attachments(atts: list[Any], out: MailMessage, path: Path,
                 warn: Callable[[str], None]) -> None:
    for att in atts:
        data = _get(att, "data", path, warn)
        if not isinstance(data, bytes):  # an embedded message or a broken stream
            warn(f"{path}: attachment {getattr(att, 'longFilename', '')!r} has no plain "
                 "data (embedded message or damaged stream); listed without a hash")
            data = b""
        name = att.longFilename or att.shortFilename or ""
        out.attachments.append(Attachment(name, getattr(att, "mimetype", None) or "",
                                          "attachment", len(data),
                                          hashlib.sha256(data).hexdigest()))
