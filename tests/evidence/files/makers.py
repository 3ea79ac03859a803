"""Files of each kind built in the tests: pictures (Pillow, tags written by exiftool),
OOXML/ODF documents (zipfile), PDFs (pypdf), SQLite stores (sqlite3), mail (email)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from evidence.files.conftest import run_tool

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{title}</dc:title><dc:creator>{author}</dc:creator>
<cp:lastModifiedBy>{last}</cp:lastModifiedBy><cp:revision>{revision}</cp:revision>
<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>
</cp:coreProperties>"""
APP = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Application>{application}</Application><Company>{company}</Company><Pages>2</Pages>
<AppVersion>16.0000</AppVersion></Properties>"""
TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
DOC = """<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>hello</w:t></w:r></w:p></w:body></w:document>"""
ODF_META = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"><office:meta>
<meta:initial-creator>{author}</meta:initial-creator><dc:creator>{last}</dc:creator>
<meta:creation-date>{created}</meta:creation-date><dc:date>{modified}</dc:date>
<meta:generator>{application}</meta:generator><meta:editing-cycles>4</meta:editing-cycles>
<dc:title>{title}</dc:title><meta:document-statistic meta:page-count="3"/>
</office:meta></office:document-meta>"""


def docx(path: Path, *, macros: bool = False, embedded: bytes | None = None,
         **meta: str) -> Path:
    """A minimal Word document with the given core/app properties."""
    values = {"title": "Plan", "author": "Alice", "last": "Bob", "revision": "7",
              "created": "2024-03-01T09:15:00Z", "modified": "2024-03-02T17:40:30Z",
              "application": "Microsoft Office Word", "company": "Acme", **meta}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", TYPES)
        z.writestr("word/document.xml", DOC)
        z.writestr("docProps/core.xml", CORE.format(**values))
        z.writestr("docProps/app.xml", APP.format(**values))
        if macros:
            z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0fake VBA project")
        if embedded is not None:
            z.writestr("word/embeddings/oleObject1.bin", embedded)
    return path


def odt(path: Path, **meta: str) -> Path:
    """A minimal ODF text document (mimetype first, stored, as the standard asks)."""
    values = {"title": "Notes", "author": "Olena", "last": "Taras",
              "created": "2023-11-05T08:00:00", "modified": "2023-11-06T10:30:00",
              "application": "LibreOffice/7.4", **meta}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("meta.xml", ODF_META.format(**values), compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", "<office:document-content/>")
        z.writestr("Basic/Standard/Module1.xml", "<script/>")
    return path


def pdf(path: Path, *, attachment: bytes | None = None) -> Path:
    """A one-page PDF with an information dictionary (and an attached file)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Mallory", "/Creator": "Writer 3", "/Producer": "pypdf",
                         "/Title": "Invoice 42", "/CreationDate": "D:20240105103000+02'00'",
                         "/ModDate": "D:20240106120000Z"})
    if attachment is not None:
        writer.add_attachment("payload.txt", attachment)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def jpeg(path: Path, *tags: str) -> Path:
    """A small JPEG (Pillow) with EXIF tags written by exiftool (``-TAG=VALUE`` each)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    if tags:
        run_tool("exiftool", "-q", "-overwrite_original", *tags, str(path))
    return path
