"""Saved web pages: a ZIP of pages saved for later analysis (HTML, their images, and
messenger channel exports in JSON), as OSINT investigators keep them."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.errors import EvidenceError
from runner.evidence.artifacts.magic import document_format
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register

_LOCAL = b"PK\x03\x04"
_PAGES = (".html", ".htm", ".json")


def member_names(data: bytes) -> Iterator[str]:
    """Names of the ZIP's local file headers that lie whole inside ``data``."""
    at = 0
    while data.startswith(_LOCAL, at) and at + 30 <= len(data):
        size, name_len, extra_len = struct.unpack_from("<I4xHH", data, at + 18)
        name = data[at + 30 : at + 30 + name_len]
        if len(name) < name_len:
            return
        yield name.decode("utf-8", "replace")
        at += 30 + name_len + extra_len + size


@register
class WebArchiveKind(EvidenceKind):
    name = "webarchive"
    description = "ZIP of saved web pages and channel exports (JSON-LD profiles, entities)"
    priority = 40  # after document: an OOXML file is a ZIP too

    def probe(self, head: Head) -> bool:
        if not head.at(0, _LOCAL) or document_format(head.data):
            return False
        return any(n.lower().endswith(_PAGES) for n in member_names(head.data))

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise EvidenceError(f"not a readable ZIP of saved pages: {exc}", where=str(path),
                                fix="check the file with 'unzip -t'") from None
        with archive:
            yield archive
