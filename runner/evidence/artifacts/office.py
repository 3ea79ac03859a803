"""Office Open XML (DOCX/XLSX/PPTX, macro-enabled forms) and ODF metadata, read from
the ZIP's XML parts with zipfile and defusedxml.

defusedxml refuses entity expansion and external entities (billion laughs, XXE); the
ZIP is read under limits (members, bytes per part, bytes in all) so a zip bomb
costs a warning, not the machine.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from runner.errors import EvidenceError
from runner.evidence.artifacts.timefmt import from_datetime

MAX_MEMBERS = 10_000
MAX_PART = 16 * 1024 * 1024  # bytes read from one XML part or embedded file
MAX_TOTAL = 256 * 1024 * 1024  # bytes read from the whole archive
MAX_RATIO = 200  # declared uncompressed/compressed size of one member

_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
_EMBEDDED = re.compile(
    r"(^|/)(embeddings|Object \d+|ObjectReplacements)/[^/]+$|^[^/]+/media/[^/]+$")


@dataclass
class OfficeFacts:
    format: str
    meta: dict[str, Any]
    embedded: list[dict[str, Any]] = field(default_factory=list)


class _Budget:
    """Bytes still allowed to be read from the archive; parts are read through it."""

    def __init__(self, zf: zipfile.ZipFile, path: Path, warn: Callable[[str], None]) -> None:
        self.zf, self.path, self.warn, self.left = zf, path, warn, MAX_TOTAL

    def read(self, info: zipfile.ZipInfo) -> bytes | None:
        """The member's bytes, or None (with a warning) when a limit or damage stops it."""
        where = f"{self.path}: member {info.filename!r} at offset {info.header_offset}"
        if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO \
                and info.file_size > 1024 * 1024:
            self.warn(f"{where}: compression ratio {info.file_size // info.compress_size}:1 "
                      "looks like a zip bomb; not read")
            return None
        cap = min(MAX_PART, self.left)
        try:
            with self.zf.open(info) as handle:
                data = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
                RuntimeError) as exc:  # RuntimeError: an encrypted member
            self.warn(f"{where}: unreadable ({exc})")
            return None
        except Exception as exc:
            self.warn(f"{where}: unreadable ({type(exc).__name__}: {exc})")
            return None
        if len(data) > cap:
            self.warn(f"{where}: more than {cap} bytes uncompressed; not read (zip-bomb limit)")
            return None
        self.left -= len(data)
        return data


def read_office(path: Path, warn: Callable[[str], None]) -> OfficeFacts:
    """Metadata, macros and embedded files of an OOXML or ODF document.

    Raises:
        EvidenceError: the file is not a readable ZIP archive.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise EvidenceError(f"not a readable ZIP (OOXML/ODF) document: {exc}", where=str(path),
                            fix="check the file; `zip -FF` may repair a damaged archive") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            warn(f"{path}: {len(infos)} ZIP members; only the first {MAX_MEMBERS} are read")
            infos = infos[:MAX_MEMBERS]
        budget = _Budget(zf, path, warn)
        names = {i.filename: i for i in infos}
        if "mimetype" in names or "meta.xml" in names:
            facts = _odf(names, budget)
        else:
            facts = _ooxml(names, budget)
        for info in infos:
            if _EMBEDDED.search(info.filename) and not info.is_dir():
                data = budget.read(info)
                facts.embedded.append({
                    "name": info.filename, "size": info.file_size,
                    "sha256": hashlib.sha256(data).hexdigest() if data is not None else "",
                })
        return facts


def _xml(budget: _Budget, names: dict[str, zipfile.ZipInfo], member: str) -> Any:
    """The parsed root of an XML part, or None (warned) when missing or damaged."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    info = names.get(member)
    if info is None:
        return None
    data = budget.read(info)
    if data is None:
        return None
    try:
        return ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        budget.warn(f"{budget.path}: member {member!r}: XML refused or damaged ({exc})")
        return None


def _text(root: Any, tag: str) -> str:
    if root is None:
        return ""
    prefix, _, local = tag.partition(":")
    found = root.find(f"{{{_NS[prefix]}}}{local}")
    return " ".join((found.text or "").split()) if found is not None else ""


def _ooxml(names: dict[str, zipfile.ZipInfo], budget: _Budget) -> OfficeFacts:
    core = _xml(budget, names, "docProps/core.xml")
    app = _xml(budget, names, "docProps/app.xml")
    macros = any(n.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for n in names)
    top = {n.split("/", 1)[0] for n in names}
    base = next((f for d, f in (("word", "docx"), ("xl", "xlsx"), ("ppt", "pptx")) if d in top),
                "ooxml")
    fmt = base[:-1] + "m" if macros and base != "ooxml" else base
    return OfficeFacts(fmt, {
        "title": _text(core, "dc:title"), "subject": _text(core, "dc:subject"),
        "author": _text(core, "dc:creator"), "last_modified_by": _text(core, "cp:lastModifiedBy"),
        "created": w3c_time(_text(core, "dcterms:created")),
        "modified": w3c_time(_text(core, "dcterms:modified")),
        "printed": w3c_time(_text(core, "cp:lastPrinted")),
        "revision": _text(core, "cp:revision"), "keywords": _text(core, "cp:keywords"),
        "application": _text(app, "ep:Application"), "app_version": _text(app, "ep:AppVersion"),
        "producer": "", "company": _text(app, "ep:Company"), "template": _text(app, "ep:Template"),
        "pages": _int(_text(app, "ep:Pages") or _text(app, "ep:Slides")),
        "edit_minutes": _int(_text(app, "ep:TotalTime")), "macros": macros,
        "javascript": False, "encrypted": False,
    })


def _odf(names: dict[str, zipfile.ZipInfo], budget: _Budget) -> OfficeFacts:
    root = _xml(budget, names, "meta.xml")
    meta = root.find(f"{{{_NS['office']}}}meta") if root is not None else None
    mimetype = budget.read(names["mimetype"]) if "mimetype" in names else None
    kind = (mimetype or b"").decode("ascii", "replace").rsplit(".", 1)[-1]
    fmt = {"text": "odt", "spreadsheet": "ods", "presentation": "odp",
           "graphics": "odg"}.get(kind, "odf")
    macros = any(n.startswith(("Basic/", "Scripts/")) and not n.endswith("/") for n in names)
    stats = meta.find(f"{{{_NS['meta']}}}document-statistic") if meta is not None else None
    pages = stats.get(f"{{{_NS['meta']}}}page-count", "") if stats is not None else ""
    return OfficeFacts(fmt, {
        "title": _text(meta, "dc:title"), "subject": _text(meta, "dc:subject"),
        "author": _text(meta, "meta:initial-creator"),
        "last_modified_by": _text(meta, "dc:creator"),
        "created": w3c_time(_text(meta, "meta:creation-date")),
        "modified": w3c_time(_text(meta, "dc:date")),
        "printed": w3c_time(_text(meta, "meta:print-date")),
        "revision": _text(meta, "meta:editing-cycles"), "keywords": _text(meta, "meta:keyword"),
        "application": _text(meta, "meta:generator"), "app_version": "", "producer": "",
        "company": "",
        "template": "", "pages": _int(pages),
        "edit_minutes": _iso_minutes(_text(meta, "meta:editing-duration")),
        "macros": macros, "javascript": False, "encrypted": False,
    })


def w3c_time(value: str) -> str:
    """A W3C/ISO time: with a zone as UTC ISO 8601 (nanoseconds, Z); without one kept as
    local ``YYYY-MM-DDTHH:MM:SS`` (ODF often omits the zone); '' when unreadable."""
    value = value.strip()
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%dT%H:%M:%S")
    return from_datetime(parsed)


def _int(value: str) -> int:
    return int(value) if value.strip().isdigit() else -1


def _iso_minutes(value: str) -> int:
    """ISO 8601 duration (PT23H6M) in whole minutes, -1 when unreadable."""
    m = re.fullmatch(r"P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", value.strip())
    if not value or m is None:
        return -1
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return int(d * 1440 + h * 60 + mi + s / 60)
