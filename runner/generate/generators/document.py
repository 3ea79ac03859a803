"""``document``: a Word document (DOCX) with author, last-modified-by, revision, times and
application in its metadata, written as Office Open XML with the standard library.

A DOCX is a zip of XML parts; the core properties (``docProps/core.xml``, Dublin Core)
hold the author, last editor, revision and times that a metadata task asks about, and
``docProps/app.xml`` the application. Every zip entry carries a fixed time and the
entries are written in a fixed order, so the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, ClassVar
from xml.sax.saxutils import escape

from pydantic import BaseModel, Field

from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when, times_between
from runner.scenario.model import Strict

APPS = ["Microsoft Office Word", "LibreOffice/7.5.4.2$Linux_X86_64", "Microsoft Macintosh Word"]
_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
       'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
       '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
       'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="'
       'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
       '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
       'package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="'
       'application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http:'
         '//schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
         '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.'
         'openxmlformats.org/package/2006/relationships/metadata/core-properties" Target='
         '"docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
         '</Relationships>')


class DocumentParams(Strict):
    title: str = Field("Report", max_length=200)
    author: str = Field(max_length=100, description="Who created it (dc:creator).")
    last_modified_by: str = Field("", max_length=100, description="Last editor; default author.")
    revision: int = Field(0, ge=0, le=10_000, description="Revision; 0: drawn 2 to 30.")
    created: str = Field("2024-03-01T08:00:00Z", description="Creation time.")
    hours: float = Field(240, gt=0, description="Modified within this many hours of creation.")
    application: str = Field("", max_length=100, description="Application; empty: drawn.")
    company: str = Field("", max_length=100)
    body: str = Field("", max_length=1_000_000, description="The text, one paragraph a line.")


def zip_bytes(entries: dict[str, bytes], when: tuple[int, int, int, int, int, int]) -> bytes:
    """A deflated zip of ``entries`` in the order given, every entry dated ``when``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buf.getvalue()


def _core(p: DocumentParams, editor: str, revision: int, created: str, modified: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:'
            'cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
            'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(p.title)}</dc:title><dc:creator>{escape(p.author)}</dc:creator>"
            f"<cp:lastModifiedBy>{escape(editor)}</cp:lastModifiedBy>"
            f"<cp:revision>{revision}</cp:revision>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>'
            "</cp:coreProperties>")


def _document(body: str) -> str:
    paragraphs = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(line)}</w:t></w:r></w:p>"
                         for line in body.splitlines() or [""])
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http:'
            '//schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            f"{paragraphs}</w:body></w:document>")


class DocumentGenerator(Generator):
    kind: ClassVar[str] = "document"
    Params: ClassVar[type[BaseModel]] = DocumentParams
    suffix: ClassVar[str] = ".docx"
    evidence_kind: ClassVar[str] = "document"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, DocumentParams)
        rng = ctx.rng("document")
        created = parse_when(params.created, f"output '{ctx.output}'")
        modified = times_between(rng, created, params.hours, 1)[0]
        editor = params.last_modified_by or params.author
        revision = params.revision or rng.randint(2, 30)
        app = params.application or rng.choice(APPS)
        app_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
                   '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                   f"<Application>{escape(app)}</Application><Company>{escape(params.company)}"
                   "</Company></Properties>")
        parts = {"[Content_Types].xml": _CT, "_rels/.rels": _RELS,
                 "docProps/core.xml": _core(params, editor, revision, iso(created), iso(modified)),
                 "docProps/app.xml": app_xml, "word/document.xml": _document(params.body)}
        stamp = modified.timetuple()[:6]
        out.write_bytes(zip_bytes({k: v.encode() for k, v in parts.items()},
                                  (max(1980, stamp[0]), *stamp[1:])))
        return {ctx.output: {"title": params.title, "author": params.author,
                             "last_modified_by": editor, "revision": revision,
                             "created": iso(created), "modified": iso(modified),
                             "application": app, "company": params.company}}
