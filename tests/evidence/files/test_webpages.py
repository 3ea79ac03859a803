"""Saved web pages (the webarchive kind, webpages analyzer): a ZIP of pages is told from
an OOXML document and from other ZIPs by content, JSON-LD profiles and channel export
entities become rows, damage is a warning naming the member, and page hashes agree with
what unzip extracts."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from helpers import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.files.conftest import Facts, run_tool
from runner.errors import DflabError, EvidenceError
from runner.evidence.kinds.registry import detect

AVATAR = b"\x89PNG\r\n\x1a\n not really a picture, but bytes to hash"
PROFILE = {"@context": "https://schema.org", "@type": "ProfilePage",
           "mainEntity": {"@type": "Person", "name": "Oleh M.", "alternateName": "krot77",
                          "identifier": "4821", "image": "seller-krot77_files/a.png",
                          "address": {"@type": "PostalAddress", "addressLocality": "Lviv"},
                          "telephone": "+380 67 123 45 67",
                          "sameAs": ["https://hovir.example/krot77_gear"]}}
URL = "https://bazarok.example/seller/krot77"
PAGE = (f"<!DOCTYPE html>\n<!-- saved from url=({len(URL):04d}){URL} -->\n<html><head>"
        f"<title>Oleh M. (krot77)</title><script type=\"application/ld+json\">"
        f"{json.dumps(PROFILE)}</script></head><body><p>Lot 1</p></body></html>\n")
EXPORT = {"name": "Krot Gear", "type": "public_channel", "messages": [
    {"id": 1, "type": "message", "date": "2024-02-06T20:24:37", "text": "",
     "text_entities": [{"type": "plain", "text": "Orders: "},
                       {"type": "email", "text": "o.moroz@poshta.example"}]},
    {"id": 2, "type": "message", "date": "2024-02-08T17:01:03", "text": "",
     "text_entities": [{"type": "phone", "text": "+380 67 123 45 67"},
                       {"type": "text_link", "text": "my shop",
                        "href": "https://bazarok.example/seller/krot77"}]}]}


def _zip(tmp_path: Path, entries: dict[str, bytes], name: str = "pages.zip") -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in entries.items():
            archive.writestr(member, data)
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return _zip(tmp_path, {
        "snapshots/capture-log.csv": b"saved_utc,url,file,sha256\n",
        "snapshots/market/seller-krot77.html": PAGE.encode(),
        "snapshots/market/seller-krot77_files/a.png": AVATAR,
        "snapshots/channels/krot77_gear/result.json": json.dumps(EXPORT).encode(),
        "snapshots/notes.json": b'{"not": "a channel"}'})


def test_a_zip_of_pages_is_a_webarchive_a_docx_and_a_zip_of_text_are_not(
        archive: Path, tmp_path: Path) -> None:
    assert detect(archive).name == "webarchive"
    docx = _zip(tmp_path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>",
                           "docProps/core.xml": b"<cp/>"}, "a.docx")
    assert detect(docx).name == "document"
    text = _zip(tmp_path, {"readme.txt": b"hello", "data.csv": b"a,b\n"}, "plain.zip")
    with pytest.raises(EvidenceError):
        detect(text)


def test_profiles_pages_and_channel_entities(archive: Path, facts: Facts) -> None:
    found = facts(archive)
    assert found.kind == "webarchive" and found.warnings == []
    (page,) = found.tables["webpages.pages"]
    assert page["url"] == URL and page["title"] == "Oleh M. (krot77)"
    (profile,) = found.tables["webpages.profiles"]
    assert (profile["site"], profile["username"], profile["name"], profile["city"],
            profile["telephone"]) == ("bazarok.example", "krot77", "Oleh M.", "Lviv",
                                      "+380 67 123 45 67")
    assert profile["image"] == "snapshots/market/seller-krot77_files/a.png"
    assert profile["image_sha256"] == hashlib.sha256(AVATAR).hexdigest()
    assert profile["same_as"] == "https://hovir.example/krot77_gear"
    rows = [(e["message"], e["type"], e["text"]) for e in found.tables["webpages.entities"]]
    assert rows == [(1, "email", "o.moroz@poshta.example"), (2, "phone", "+380 67 123 45 67"),
                    (2, "text_link", "https://bazarok.example/seller/krot77")]
    assert {e["channel"] for e in found.tables["webpages.entities"]} == {"Krot Gear"}


def test_page_hashes_agree_with_what_unzip_extracts(archive: Path, facts: Facts) -> None:
    for page in facts(archive).tables["webpages.pages"]:
        extracted = run_tool("unzip", "-p", str(archive), page["file"]).encode()
        assert hashlib.sha256(extracted).hexdigest() == page["sha256"]


def test_damage_is_a_warning_naming_the_member_and_the_rest_is_read(tmp_path: Path,
                                                                    facts: Facts) -> None:
    broken = PAGE.replace('"alternateName"', '"alternateName": ,', 1)
    path = _zip(tmp_path, {
        "a/broken.html": broken.encode(),
        "a/lost.html": PAGE.replace("seller-krot77_files/a.png", "gone.png").encode(),
        "a/channel.json": b"{not json"})
    found = facts(path)
    assert len(found.tables["webpages.pages"]) == 2
    (profile,) = found.tables["webpages.profiles"]
    assert profile["image"] == "a/gone.png" and profile["image_sha256"] == ""
    said = " | ".join(found.warnings)
    assert "a/broken.html" in said and "JSON-LD block is not JSON" in said
    assert "a/lost.html" in said and "a/gone.png is not in the archive" in said
    assert "a/channel.json" in said and "not JSON" in said


def test_a_cut_archive_is_one_error_line_with_exit_3(archive: Path, cli: CliRunner) -> None:
    cut = archive.with_name("cut.zip")
    cut.write_bytes(archive.read_bytes()[:400])
    result = cli("facts", str(cut))
    assert result.code == 3 and "Traceback" not in result.stderr
    assert "not a readable ZIP of saved pages" in result.stderr and "cut.zip" in result.stderr


def test_a_graph_and_an_image_object_as_sites_write_them(tmp_path: Path, facts: Facts) -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Kvartal"},
        {"@type": ["ProfilePage", "WebPage"], "mainEntity": {
            "@type": "Person", "alternateName": "sova_foto",
            "image": {"@type": "ImageObject", "contentUrl": "https://cdn.example/a.png"},
            "sameAs": "https://hovir.example/sova"}}]}
    page = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    (profile,) = facts(_zip(tmp_path, {"p.html": page.encode()})).tables["webpages.profiles"]
    assert (profile["username"], profile["image"], profile["image_sha256"],
            profile["same_as"]) == ("sova_foto", "https://cdn.example/a.png", "",
                                    "https://hovir.example/sova")


def test_mutated_archives_give_facts_or_one_clear_error(tmp_path: Path) -> None:
    """Flipped bytes and truncation anywhere (headers, deflate streams, JSON-LD): facts
    with warnings or one EvidenceError, never another exception."""
    from runner.evidence.kinds.dispatch import analyze_evidence

    original = _zip(tmp_path, {
        "s/seller.html": PAGE.encode(), "s/seller-krot77_files/a.png": AVATAR,
        "s/c/result.json": json.dumps(EXPORT).encode()}).read_bytes()
    target = tmp_path / "mutant.zip"

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow,
                                     HealthCheck.function_scoped_fixture])
    @given(edits=st.lists(st.tuples(st.integers(0, len(original) - 1),
                                    st.binary(min_size=1, max_size=8)), min_size=1,
                          max_size=6),
           cut=st.none() | st.integers(1, len(original)))
    def check(edits: list[tuple[int, bytes]], cut: int | None) -> None:
        data = bytearray(original)
        for at, payload in edits:
            data[at:at + len(payload)] = payload
        target.write_bytes(bytes(data[:cut]))
        try:
            found = analyze_evidence(target)
        except DflabError as exc:  # one clear error (not a zip any more, unreadable)
            outcomes["error"] += 1
            assert exc.message
            return
        outcomes["facts"] += 1
        assert set(found.tables) >= {"webpages.pages", "webpages.profiles"} or \
            found.kind != "webarchive"

    outcomes = {"facts": 0, "error": 0}
    check()
    assert outcomes["facts"] and outcomes["error"], outcomes
