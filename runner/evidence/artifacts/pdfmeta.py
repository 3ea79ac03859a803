"""PDF metadata with pypdf: the document information dictionary, page count,
embedded files, encryption, and JavaScript (counted as pdfid does, from the raw
keywords, and from the name tree and open action)."""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from runner.errors import EvidenceError
from runner.evidence.artifacts.office import OfficeFacts
from runner.evidence.artifacts.timefmt import from_datetime

_PDF_DATE = re.compile(
    r"D?:?(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?\s*([Zz+-])?\s*(\d\d)?'?(\d\d)?")
MAX_EMBEDDED = 16 * 1024 * 1024  # bytes hashed per embedded file


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def read_pdf(path: Path, warn: Callable[[str], None]) -> OfficeFacts:
    """Metadata, embedded files and JavaScript of a PDF.

    Raises:
        EvidenceError: pypdf cannot find a document in the file at all.
    """
    log = logging.getLogger("pypdf")
    handler = _Collect()
    log.addHandler(handler)
    log.propagate, before = False, log.propagate
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            facts = _read(path, warn)
        for message in dict.fromkeys([*handler.messages, *(str(w.message) for w in caught)]):
            warn(f"{path}: pypdf: {message}")
        return facts
    finally:
        log.removeHandler(handler)
        log.propagate = before


def _read(path: Path, warn: Callable[[str], None]) -> OfficeFacts:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    raw = Path(path).read_bytes()
    js_keywords = len(re.findall(rb"/J(?:ava)?S(?:cript)?\b", raw))
    try:
        reader = PdfReader(path, strict=False)
        info: Any = reader.metadata or {}
        encrypted = reader.is_encrypted
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise EvidenceError(f"pypdf cannot read the PDF: {exc}", where=str(path),
                            fix="check the file; `qpdf --check FILE` says what is wrong") from None
    meta = {
        "title": _s(info, "/Title"), "subject": _s(info, "/Subject"), "author": _s(info, "/Author"),
        "last_modified_by": "", "created": pdf_date(_s(info, "/CreationDate")),
        "modified": pdf_date(_s(info, "/ModDate")), "printed": "", "revision": "",
        "keywords": _s(info, "/Keywords"), "application": _s(info, "/Creator"), "app_version": "",
        "producer": _s(info, "/Producer"), "company": "", "template": "",
        "pages": _pages(reader, path, warn), "edit_minutes": -1, "macros": False,
        "javascript": js_keywords > 0, "encrypted": bool(encrypted),
    }
    return OfficeFacts(f"pdf-{reader.pdf_header.lstrip('%PDF-') or '?'}", meta,
                       _embedded(reader, path, warn))


def _s(info: Any, key: str) -> str:
    try:
        value = info.get(key)
    except Exception:
        return ""
    return str(value).strip() if value is not None else ""


def _pages(reader: Any, path: Path, warn: Callable[[str], None]) -> int:
    try:
        return len(reader.pages)
    except Exception as exc:
        warn(f"{path}: page tree unreadable ({exc})")
        return -1


def _embedded(reader: Any, path: Path, warn: Callable[[str], None]) -> list[dict[str, Any]]:
    try:
        attachments = reader.attachments
        out = []
        for name, blobs in attachments.items():
            for data in blobs:
                out.append({"name": str(name), "size": len(data),
                            "sha256": hashlib.sha256(data[:MAX_EMBEDDED]).hexdigest()})
        return out
    except Exception as exc:
        warn(f"{path}: embedded-file tree unreadable ({exc})")
        return []


def pdf_date(value: str) -> str:
    """A PDF date (``D:20071210080711-05'00'``) as UTC ISO 8601; without a zone the time
    is taken as UTC (as pdfinfo does); '' when unreadable."""
    m = _PDF_DATE.match(value.strip())
    if m is None:
        return ""
    year, mon, day, hour, minute, sec, sign, tzh, tzm = m.groups()
    try:
        offset = timedelta(hours=int(tzh or 0), minutes=int(tzm or 0))
        zone = timezone(-offset if sign == "-" else offset) if sign in ("+", "-") else UTC
        when = datetime(int(year), int(mon or 1), int(day or 1), int(hour or 0),
                        int(minute or 0), int(sec or 0), tzinfo=zone)
    except ValueError:
        return ""
    return from_datetime(when)
