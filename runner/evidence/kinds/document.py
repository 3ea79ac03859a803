"""Documents: PDF, Office Open XML (DOCX/XLSX/PPTX and macro-enabled forms), ODF."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.artifacts.magic import document_format
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register


@register
class DocumentKind(EvidenceKind):
    name = "document"
    description = "document: PDF, DOCX/XLSX/PPTX (OOXML), ODT/ODS/ODP (ODF)"
    priority = 30

    def probe(self, head: Head) -> bool:
        return document_format(head.data) != ""

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        yield Path(path)
