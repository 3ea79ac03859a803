"""Damaged evidence of the file kinds: a warning naming the file (and the offset where
there is one) and the other facts still made, or one clear error; never a traceback
or a hang (issue 12, item 8)."""

from __future__ import annotations

import io
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from evidence.files import makers
from evidence.files.conftest import Facts, sample
from runner.cli.context import Ctx
from runner.cli.main import main
from runner.errors import EvidenceError

pytestmark = pytest.mark.timeout(120)


def cli(path: Path, home: Path) -> tuple[int, str, str]:
    """``dflab facts PATH`` through the real entry point (errors printed as users see them)."""
    out, err = io.StringIO(), io.StringIO()
    ctx = Ctx(stdout=out, stderr=err, env={"NO_COLOR": "1"}, width=200, home_override=str(home))
    return main(["facts", str(path)], ctx), out.getvalue(), err.getvalue()


def test_zip_bomb_like_document(tmp_path: Path, facts: Facts) -> None:
    path = makers.docx(tmp_path / "bomb.docx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/zeros.bin", bytes(64 * 1024 * 1024))  # 64 MiB -> ~64 KiB
    f = facts(path)
    assert any("bomb.docx" in w and "word/media/zeros.bin" in w and "zip bomb" in w
               and "offset" in w for w in f.warnings), f.warnings
    row = f.tables["document.metadata"][0]
    assert (row["author"], row["last_modified_by"]) == ("Alice", "Bob")  # the rest is read
    assert f.tables["document.embedded"][0]["sha256"] == ""


def test_billion_laughs_in_core_properties(tmp_path: Path, facts: Facts) -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              '<cp:coreProperties xmlns:cp="x">&lol2;</cp:coreProperties>')
    path = tmp_path / "laughs.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", makers.TYPES)
        z.writestr("docProps/core.xml", laughs)
        z.writestr("docProps/app.xml", makers.APP.format(application="Word", company="X"))
    f = facts(path)
    assert any("laughs.docx" in w and "docProps/core.xml" in w for w in f.warnings)
    assert f.tables["document.metadata"][0]["application"] == "Word"


def test_truncated_zip_document_is_one_clear_error(tmp_path: Path, facts: Facts) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(sample("plaso_Document.docx").read_bytes()[:3000])
    with pytest.raises(EvidenceError, match="not a readable ZIP") as err:
        facts(path)
    assert err.value.where is not None and "cut.docx" in err.value.where


def test_malformed_exif_block(tmp_path: Path, facts: Facts) -> None:
    data = bytearray(sample("goexif_gps.jpg").read_bytes())
    tiff = data.index(b"Exif\x00\x00") + 6
    data[tiff + 8:tiff + 10] = b"\xff\xff"  # IFD0 claims 65535 entries
    data[tiff + 4:tiff + 8] = b"\xf0\xff\xff\x7f"  # ... at an offset past the file
    path = tmp_path / "broken.jpg"
    path.write_bytes(bytes(data))
    f = facts(path)
    assert any("broken.jpg" in w for w in f.warnings), f.warnings
    assert f.tables["exif.pictures"][0]["format"] == "jpeg"  # the picture is still listed


def test_exif_with_zero_denominators(tmp_path: Path, facts: Facts) -> None:
    path = makers.jpeg(tmp_path / "zero.jpg", "-GPSLatitude=10", "-GPSLatitudeRef=N",
                       "-GPSLongitude=20", "-GPSLongitudeRef=E")
    data = bytearray(path.read_bytes())
    # GPSLatitude is three rationals (degrees, minutes, seconds): zero every denominator
    tiff = data.index(b"Exif\x00\x00") + 6
    endian = "little" if data[tiff:tiff + 2] == b"II" else "big"
    ifd_gps = _tag_value(data, tiff, endian, _ifd0(data, tiff, endian), 0x8825)
    lat_offset = _tag_value(data, tiff, endian, ifd_gps, 0x0002)
    for i in range(3):
        at = tiff + lat_offset + 8 * i + 4
        data[at:at + 4] = bytes(4)
    path.write_bytes(bytes(data))
    row = facts(path).tables["exif.pictures"][0]
    assert row["latitude"] is None and row["gps"] is False
    assert row["longitude"] == pytest.approx(20.0)


def _ifd0(data: bytearray, tiff: int, endian: str) -> int:
    return int.from_bytes(data[tiff + 4:tiff + 8], endian)  # type: ignore[arg-type]


def _tag_value(data: bytearray, tiff: int, endian: str, ifd: int, tag: int) -> int:
    count = int.from_bytes(data[tiff + ifd:tiff + ifd + 2], endian)  # type: ignore[arg-type]
    for i in range(count):
        entry = tiff + ifd + 2 + 12 * i
        if int.from_bytes(data[entry:entry + 2], endian) == tag:  # type: ignore[arg-type]
            return int.from_bytes(data[entry + 8:entry + 12], endian)  # type: ignore[arg-type]
    raise AssertionError(f"tag {tag:#x} not found")


def test_sqlite_with_damaged_table_pages(tmp_path: Path, facts: Facts) -> None:
    path = tmp_path / "store.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE good (x)")
    db.execute("CREATE TABLE bad (x)")
    db.executemany("INSERT INTO good VALUES (?)", [(i,) for i in range(10)])
    db.executemany("INSERT INTO bad VALUES (?)", [("y" * 200,) for _ in range(200)])
    db.commit()
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name='bad'").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size:(root - 1) * size + 64] = b"\xee" * 64  # wreck its root page
    path.write_bytes(bytes(data))
    f = facts(path)
    rows = {t["name"]: t["rows"] for t in f.tables["sqlite.tables"]}
    assert rows == {"good": 10, "bad": -1}
    assert any("bad" in w and "unreadable" in w for w in f.warnings), f.warnings


def test_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    code, _, err = cli(path, tmp_path / "home")
    assert code == 3 and "garbage.db" in err and "SQLite" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_truncated_evtx_keeps_the_records_before_the_cut(tmp_path: Path, facts: Facts) -> None:
    path = tmp_path / "cut.evtx"
    path.write_bytes(sample("plaso_System2.evtx").read_bytes()[:100_000])
    f = facts(path)
    events = f.tables["evtx.events"]
    assert 0 < len(events) < 194
    full = facts(sample("plaso_System2.evtx")).tables["evtx.events"]
    assert list(events) == list(full)[:len(events)]


def test_evtx_with_damaged_chunk(tmp_path: Path, facts: Facts) -> None:
    data = bytearray(sample("plaso_System2.evtx").read_bytes())
    data[4096 + 0x10000:4096 + 0x10000 + 8] = b"XXXXXXXX"  # second chunk's signature
    path = tmp_path / "chunk.evtx"
    path.write_bytes(bytes(data))
    f = facts(path)
    assert any("chunk.evtx" in w and f"offset {4096 + 0x10000}" in w for w in f.warnings)
    assert len(f.tables["evtx.events"]) > 0


def test_truncated_hive(tmp_path: Path, facts: Facts) -> None:
    path = tmp_path / "SAM"
    path.write_bytes(sample("plaso_SAM").read_bytes()[:12_000])
    code, _, err = cli(path, tmp_path / "home")
    assert "Traceback" not in err
    if code != 0:  # regipy cannot read the root: one clear error naming the file
        assert code == 3 and "SAM" in err and len(err.strip().splitlines()) == 1


def test_mail_with_broken_parts(tmp_path: Path, facts: Facts) -> None:
    raw = (b"From: a@b.example\r\nTo: c@d.example\r\nSubject: =?utf-8?b?broken\r\n"
           b"Date: not a date\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
           b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nhello http://x.example/\r\n"
           b"--XX\r\nContent-Type: application/octet-stream; name=a.bin\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n")  # no closing boundary
    path = tmp_path / "broken.eml"
    path.write_bytes(raw)
    f = facts(path)
    assert all("broken.eml" in w for w in f.warnings) and f.warnings
    m = f.tables["mail.messages"][0]
    assert (m["from_address"], m["time"], m["attachments"]) == ("a@b.example", "", 1)
    assert f.tables["mail.links"][0]["url"] == "http://x.example/"


def test_cli_on_each_damaged_sample_prints_no_traceback(tmp_path: Path) -> None:
    for name in ("plaso_chrome_History", "plaso_System2.evtx", "goexif_gps.jpg",
                 "pdfminer_f1040nr.pdf", "mboxparser_testbox.mbox", "plaso_SAM"):
        cut = tmp_path / f"cut-{name}"
        shutil.copyfile(sample(name), cut)
        with cut.open("r+b") as handle:
            handle.truncate(cut.stat().st_size // 3)
        code, _, err = cli(cut, tmp_path / "home")
        assert "Traceback" not in err, name
        assert code in (0, 3), (name, code, err)
        if code == 3:
            assert str(cut.name) in err
