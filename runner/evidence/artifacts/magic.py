"""Content tests shared by the evidence kinds and their analyzers (the analyzers must
not import the kinds package, which imports the capture engine): formats from the
first bytes of a file, never from its name."""

from __future__ import annotations

import re

_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")
# Names of members that make a ZIP an office document (OOXML parts, the ODF mimetype).
_OFFICE_MEMBERS = (b"[Content_Types].xml", b"docProps/", b"word/", b"xl/", b"ppt/",
                   b"mimetypeapplication/vnd.oasis.opendocument")
# A header line: a field name of printable ASCII but colon, then a colon (RFC 5322 2.2).
_HEADER = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?\S?")
_KNOWN = (b"received:", b"from:", b"to:", b"subject:", b"date:", b"message-id:",
          b"return-path:", b"mime-version:", b"delivered-to:", b"x-")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MSG_STREAM = "__substg1.0_".encode("utf-16-le")


def picture_format(data: bytes) -> str:
    """``jpeg``, ``png``, ``tiff``, ``heic`` or '' from the magic number."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data[4:8] == b"ftyp" and data[8:12] in _BRANDS:
        return "heic"
    return ""


def document_format(data: bytes) -> str:
    """``pdf``, ``office`` or '' from the first bytes."""
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header
        return "pdf"
    if data.startswith(b"PK\x03\x04") and any(m in data for m in _OFFICE_MEMBERS):
        return "office"
    return ""


def looks_like_message(head: bytes) -> bool:
    """The first lines are header fields, and at least two are ones mail carries."""
    lines = head[:4096].splitlines()[:12]
    headers = [ln for ln in lines if _HEADER.match(ln) or ln[:1] in (b" ", b"\t")]
    # Header names as mail writes them (capitalised): a YAML file with 'from:' and 'to:'
    # keys is not mail.
    known = sum(1 for ln in lines if ln[:1].isupper() and ln.lower().startswith(_KNOWN))
    return bool(lines) and _HEADER.match(lines[0]) is not None and \
        len(headers) >= min(len(lines), 3) - 1 and known >= 2


def mail_format(data: bytes) -> str:
    """``mbox``, ``eml``, ``msg`` or '' from the first bytes."""
    text = data.lstrip(b"\r\n")  # mbox files often begin with an empty line
    if text.startswith(b"From ") and looks_like_message(text.partition(b"\n")[2]):
        return "mbox"
    if data.startswith(OLE_MAGIC) and _MSG_STREAM in data:
        return "msg"
    return "eml" if looks_like_message(data) else ""


def head_of(path: object, size: int = 64 * 1024) -> bytes:
    """The first bytes of a file."""
    from pathlib import Path

    with Path(str(path)).open("rb") as handle:
        return handle.read(size)
