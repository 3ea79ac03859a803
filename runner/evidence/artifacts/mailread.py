"""Mail read with the standard library (``email``, ``mailbox``) and, for Outlook
``.msg`` files, extract-msg: every message becomes a :class:`MailMessage` of plain
values, so the analyzer never sees which format it came from.

Parsing is lenient, as mail clients are: a malformed header or MIME part is kept as
far as it goes and reported as a warning naming the file, the message and its offset.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import mailbox
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from runner.errors import EvidenceError

MAX_MESSAGES = 100_000  # an mbox larger than this is cut (a warning says so)


@dataclass
class Attachment:
    name: str
    content_type: str
    disposition: str
    size: int
    sha256: str


@dataclass
class MailMessage:
    """One message, whatever the file format."""

    index: int
    offset: int  # first byte of the message in the file (mbox: its From_ line)
    headers: list[tuple[str, str]]
    attachments: list[Attachment] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (content type, text)

    def header(self, name: str) -> str:
        """The first header called ``name`` (case-insensitive), '' when absent."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    def all(self, name: str) -> list[str]:
        """Every header called ``name``, in file order."""
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass
class Mailbox:
    path: Path
    format: str  # eml, mbox or msg
    messages: list[MailMessage]


def read_mailbox(path: Path, warn: Callable[[str], None]) -> Mailbox:
    """Every message of an .eml, mbox or .msg file.

    Raises:
        EvidenceError: the file cannot be read at all.
    """
    from runner.evidence.artifacts.magic import head_of, mail_format

    try:
        fmt = mail_format(head_of(path))
    except OSError as exc:
        raise EvidenceError(f"cannot read mail: {exc.strerror or exc}", where=str(path)) from None
    if fmt == "msg":
        from runner.evidence.artifacts.outlook import read_msg

        return Mailbox(path, fmt, [read_msg(path, warn)])
    if fmt == "mbox":
        return Mailbox(path, fmt, _read_mbox(path, warn))
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise EvidenceError(f"cannot read mail: {exc.strerror or exc}", where=str(path)) from None
    return Mailbox(path, "eml", [from_bytes(raw, 0, 0, path, warn)])


def _read_mbox(path: Path, warn: Callable[[str], None]) -> list[MailMessage]:
    box = mailbox.mbox(path, create=False)
    try:
        keys = box.keys()
        toc = getattr(box, "_toc", {})  # (start, stop) per key: the message's offset
        out = []
        for index, key in enumerate(keys):
            if index == MAX_MESSAGES:
                warn(f"{path}: more than {MAX_MESSAGES} messages; the rest are left out")
                break
            start = toc.get(key, (0, 0))[0]
            raw = box.get_bytes(key, from_=False)
            out.append(from_bytes(raw, index, start, path, warn))
        return out
    except OSError as exc:
        raise EvidenceError(f"cannot read mbox: {exc.strerror or exc}", where=str(path)) from None
    finally:
        box.close()


def from_bytes(raw: bytes, index: int, offset: int, path: Path,
               warn: Callable[[str], None]) -> MailMessage:
    """Parse one message; its defects become warnings naming file, message and offset."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    where = f"{path}: message {index} at offset {offset}"
    out = MailMessage(index, offset, [(k, _header_text(msg, k, v, where, warn))
                                      for k, v in msg.raw_items()])
    for part in msg.walk():
        for defect in part.defects:
            warn(f"{where}: {type(defect).__name__}: {defect}")
        if part.is_multipart():
            continue
        _add_part(out, part, where, warn)
    return out


def _header_text(msg: EmailMessage, name: str, raw: object, where: str,
                 warn: Callable[[str], None]) -> str:
    """A header value decoded (RFC 2047 words), unfolded; the raw text if decoding fails."""
    unfolded = " ".join(str(raw).split())  # folding CR/LF would be refused by the parser
    try:
        text = str(msg.policy.header_factory(name, unfolded))  # type: ignore[attr-defined]
    except Exception as exc:
        warn(f"{where}: header {name}: cannot decode ({exc}); kept as written")
        text = unfolded
    return " ".join(text.split())


def _add_part(out: MailMessage, part: EmailMessage, where: str,
              warn: Callable[[str], None]) -> None:
    ctype = part.get_content_type()
    filename = _filename(part, where, warn)
    disposition = part.get_content_disposition() or ""
    if filename or disposition == "attachment":
        data = _payload(part, where, warn)
        out.attachments.append(Attachment(filename, ctype, disposition, len(data),
                                          hashlib.sha256(data).hexdigest()))
    elif ctype in ("text/plain", "text/html"):
        data = _payload(part, where, warn)
        charset = part.get_content_charset() or "utf-8"
        try:
            text = data.decode(charset, errors="replace")
        except LookupError:
            warn(f"{where}: unknown charset {charset!r}; read as UTF-8")
            text = data.decode("utf-8", errors="replace")
        out.texts.append((ctype, text))


def _filename(part: EmailMessage, where: str, warn: Callable[[str], None]) -> str:
    try:
        return part.get_filename() or ""
    except Exception as exc:
        warn(f"{where}: unreadable attachment name ({exc})")
        return ""


def _payload(part: EmailMessage, where: str, warn: Callable[[str], None]) -> bytes:
    """The decoded bytes of a part (base64, quoted-printable); raw bytes if that fails."""
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        warn(f"{where}: cannot decode a {part.get_content_type()} part ({exc})")
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
