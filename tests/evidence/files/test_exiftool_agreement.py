"""Pictures and documents: dflab's facts agree with exiftool on the real samples and on
files made here (exiftool must be installed: the tests fail without it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evidence.files import makers
from evidence.files.conftest import Facts, exiftool, sample

PICTURES = ["goexif_gps.jpg", "rwgoexif_sample1.jpg"]


def exif_time_utc(value: str) -> str:
    """exiftool's ``2007:12:10 08:07:11-05:00`` / ``...Z`` as dflab's UTC ISO form."""
    m = re.fullmatch(r"(\d{4}):(\d\d):(\d\d) (\d\d:\d\d:\d\d)(Z|[+-]\d\d:\d\d)?", value)
    assert m is not None, value
    zone = "+00:00" if m[5] in (None, "Z") else m[5]
    when = datetime.fromisoformat(f"{m[1]}-{m[2]}-{m[3]}T{m[4]}{zone}").astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S") + ".000000000Z"


def check_picture(row: dict[str, Any], ref: dict[str, Any]) -> None:
    assert row["make"] == ref.get("IFD0:Make", "")
    assert row["model"] == ref.get("IFD0:Model", "")
    assert row["software"] == ref.get("IFD0:Software", "")
    original = ref.get("ExifIFD:DateTimeOriginal", "")
    assert row["original_time"] == original.replace(":", "-", 2).replace(" ", "T")
    if "Composite:GPSLatitude" in ref:
        assert row["latitude"] == pytest.approx(ref["Composite:GPSLatitude"], abs=1e-6)
        assert row["longitude"] == pytest.approx(ref["Composite:GPSLongitude"], abs=1e-6)
    else:
        assert row["gps"] is False and row["latitude"] is None
    if "Composite:GPSAltitude" in ref:
        assert row["altitude"] == pytest.approx(ref["Composite:GPSAltitude"], abs=1e-3)
    assert row["thumbnail_size"] == ref.get("IFD1:ThumbnailLength", 0)


@pytest.mark.parametrize("name", PICTURES)
def test_real_pictures_agree_with_exiftool(name: str, facts: Facts) -> None:
    f = facts(sample(name))
    assert f.warnings == []
    check_picture(f.tables["exif.pictures"][0], exiftool(sample(name)))


@pytest.mark.parametrize(("lat", "lon", "alt"), [
    (50.4501, 30.5234, 179.0),  # Kyiv, north-east
    (-33.8568, 151.2153, 5.5),  # Sydney: south latitude is negative
    (40.7128, -74.006, -12.0),  # New York, west longitude; below sea level
])
def test_made_pictures_agree_with_exiftool(lat: float, lon: float, alt: float, tmp_path: Path,
                                           facts: Facts) -> None:
    path = makers.jpeg(
        tmp_path / "photo.jpg", "-Make=Canon", "-Model=Canon EOS 80D", "-Software=Firmware 1.0",
        "-DateTimeOriginal=2024:05:06 07:08:09", f"-GPSLatitude={abs(lat)}",
        f"-GPSLatitudeRef={'N' if lat >= 0 else 'S'}", f"-GPSLongitude={abs(lon)}",
        f"-GPSLongitudeRef={'E' if lon >= 0 else 'W'}", f"-GPSAltitude={abs(alt)}",
        f"-GPSAltitudeRef#={0 if alt >= 0 else 1}")
    row = facts(path).tables["exif.pictures"][0]
    check_picture(row, exiftool(path))
    assert (row["latitude"], row["longitude"], row["altitude"]) == \
        (pytest.approx(lat, abs=1e-6), pytest.approx(lon, abs=1e-6), pytest.approx(alt))


def test_picture_without_exif(tmp_path: Path, facts: Facts) -> None:
    path = makers.jpeg(tmp_path / "plain.jpg")
    row = facts(path).tables["exif.pictures"][0]
    check_picture(row, exiftool(path))
    assert row["thumbnail"] is False and row["make"] == ""


def check_document(row: dict[str, Any], ref: dict[str, Any], group: str) -> None:
    author = ref.get("PDF:Author") if group == "PDF" else ref.get("XMP-dc:Creator")
    assert row["author"] == author
    assert row["created"] == exif_time_utc(ref[f"{group}:CreateDate"])
    assert row["modified"] == exif_time_utc(ref[f"{group}:ModifyDate"])
    if group == "PDF":
        assert row["application"] == ref["PDF:Creator"]
        assert row["producer"] == ref["PDF:Producer"]
        assert row["pages"] == ref["PDF:PageCount"]
        assert row["title"] == ref.get("PDF:Title", "")
    else:
        assert row["last_modified_by"] == ref["XML:LastModifiedBy"]
        assert row["application"] == ref["XML:Application"]
        assert row["revision"] == str(ref["XML:RevisionNumber"])


def test_real_docx_and_pdf_agree_with_exiftool(facts: Facts) -> None:
    docx = facts(sample("plaso_Document.docx")).tables["document.metadata"][0]
    check_document(docx, exiftool(sample("plaso_Document.docx")), "XML")
    assert docx["format"] == "docx" and docx["macros"] is False
    pdf = facts(sample("pdfminer_f1040nr.pdf")).tables["document.metadata"][0]
    check_document(pdf, exiftool(sample("pdfminer_f1040nr.pdf")), "PDF")
    assert pdf["javascript"] is True  # pdfinfo says JavaScript: yes (SOURCES.md facts)


def test_made_docx_with_macros_and_embedded_file(tmp_path: Path, facts: Facts) -> None:
    path = makers.docx(tmp_path / "plan.docx", macros=True, embedded=b"OLE payload")
    f = facts(path)
    row = f.tables["document.metadata"][0]
    check_document(row, exiftool(path), "XML")
    assert (row["format"], row["macros"], row["company"]) == ("docm", True, "Acme")
    import hashlib

    assert f.tables["document.embedded"] == [{
        "name": "word/embeddings/oleObject1.bin", "size": 11,
        "sha256": hashlib.sha256(b"OLE payload").hexdigest()}]


def test_made_pdf_with_attachment(tmp_path: Path, facts: Facts) -> None:
    path = makers.pdf(tmp_path / "invoice.pdf", attachment=b"secret")
    f = facts(path)
    row = f.tables["document.metadata"][0]
    check_document(row, exiftool(path), "PDF")
    assert row["created"] == "2024-01-05T08:30:00.000000000Z"  # 10:30 at +02:00
    assert [e["name"] for e in f.tables["document.embedded"]] == ["payload.txt"]


def test_made_odt(tmp_path: Path, facts: Facts) -> None:
    path = makers.odt(tmp_path / "notes.odt")
    row = facts(path).tables["document.metadata"][0]
    ref = exiftool(path)
    assert row["format"] == "odt" and row["macros"] is True
    assert row["author"] == ref["XMP-meta:Initial-creator"] == "Olena"
    assert row["last_modified_by"] == ref["XMP-dc:Creator"] == "Taras"
    assert row["application"] == ref["XMP-meta:Generator"]
    # ODF times carry no zone: kept as written, as exiftool shows them
    assert row["created"] == ref["XMP-meta:Creation-date"].replace(":", "-", 2).replace(" ", "T")
    assert row["pages"] == ref["XMP-meta:Document-statisticPage-count"] == 3
    assert row["revision"] == str(ref["XMP-meta:Editing-cycles"])


def test_heic_is_a_picture_and_an_unreadable_exif_item_is_a_warning(
        tmp_path: Path, facts: Facts) -> None:
    """pillow-heif stores the EXIF item without the 'Exif\\0\\0' prefix cameras write;
    exifread then cannot read it (exiftool can): dflab says so and still lists the file."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    path = tmp_path / "IMG_0001.HEIC"
    Image.new("RGB", (64, 48)).save(path, exif=exif.tobytes())
    assert exiftool(path)["IFD0:Make"] == "Apple"
    f = facts(path)
    assert f.tables["exif.pictures"][0]["format"] == "heic"
    assert any("IMG_0001.HEIC" in w and "exifread cannot read" in w for w in f.warnings)
