"""Documents: author, last modified by, times, application, embedded files, macros."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.magic import document_format, head_of

_TIME = "UTC ISO 8601 with nanoseconds; local YYYY-MM-DDTHH:MM:SS when the file gives no " \
    "zone (ODF); '' when absent"


@register
class DocumentAnalyzer(KindAnalyzer):
    name = "document"
    version = "1"
    description = "documents (PDF, OOXML, ODF): authors, times, application, macros, embedded files"
    kinds = frozenset({"document"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "metadata": (
            Field("format", "str", "pdf-1.6, docx, docm, xlsx, xlsm, pptx, pptm, odt, ods, odp..."),
            Field("title", "str", "title"),
            Field("subject", "str", "subject"),
            Field("author", "str", "author (OOXML dc:creator, ODF initial-creator, PDF /Author)"),
            Field("last_modified_by", "str", "last author (OOXML lastModifiedBy, ODF dc:creator)"),
            Field("created", "str", f"creation time; {_TIME}"),
            Field("modified", "str", f"last modification time; {_TIME}"),
            Field("printed", "str", f"last printed; {_TIME}"),
            Field("revision", "str", "revision number (ODF: editing cycles)"),
            Field("keywords", "str", "keywords"),
            Field("application", "str", "program that wrote it (OOXML Application, ODF "
                  "generator, PDF /Creator)"),
            Field("app_version", "str", "OOXML AppVersion ('' for PDF and ODF)"),
            Field("producer", "str", "PDF /Producer (the library that made the PDF)"),
            Field("company", "str", "OOXML Company"),
            Field("template", "str", "OOXML Template"),
            Field("pages", "int", "pages (slides for PPTX), -1 when not recorded"),
            Field("edit_minutes", "int", "total editing time in minutes, -1 when not recorded"),
            Field("macros", "bool", "VBA project (OOXML vbaProject.bin) or ODF Basic/Scripts"),
            Field("javascript", "bool", "PDF JavaScript (/JS or /JavaScript keywords)"),
            Field("encrypted", "bool", "PDF encrypted"),
            Field("embedded", "int", "embedded files (rows of document.embedded)"),
        ),
        "embedded": (
            Field("name", "str", "PDF attachment name, or the ZIP member path "
                  "(word/embeddings/oleObject1.bin, word/media/image1.png, Object 1/content.xml)"),
            Field("size", "int", "size in bytes (uncompressed)"),
            Field("sha256", "str", "SHA-256 ('' when a limit or damage stopped the read)"),
        ),
    }

    def setup(self) -> None:
        self.meta: list[dict[str, Any]] = []
        self.embedded: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        path: Path = source
        warn = self._warn
        if document_format(head_of(path)) == "pdf":
            from runner.evidence.artifacts.pdfmeta import read_pdf

            facts = read_pdf(path, warn)
        else:
            from runner.evidence.artifacts.office import read_office

            facts = read_office(path, warn)
        self.meta.append({"format": facts.format, **facts.meta, "embedded": len(facts.embedded)})
        self.embedded.extend(facts.embedded)

    def finish(self) -> Tables:
        return {"metadata": self.meta, "embedded": self.embedded}
