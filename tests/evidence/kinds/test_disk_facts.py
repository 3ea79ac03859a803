"""Disk images through the paths every kind shares: fact queries with provenance, the
facts cache, and ``dflab facts`` (rich tables and --json)."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest

from evidence.kinds.conftest import MakeFat
from evidence.test_facts_cli import _run
from runner.evidence.kinds.dispatch import analyze_evidence
from runner.evidence.query import check_query, resolve_query

DATA = Path(__file__).resolve().parents[2] / "data" / "disk"
SECRET = b"the launch code is 0000\n" * 100


def test_a_query_answers_from_a_deleted_file_with_provenance(
        tmp_path: Path, make_fat: MakeFat) -> None:
    image = make_fat({"docs/code.txt": SECRET, "readme.txt": b"hello"},
                     deleted=("docs/code.txt",))
    query = {"from": "disk.files", "where": {"deleted": True, "name": "~ode\\.txt$"},
             "select": "sha256"}
    assert check_query(query) == []
    cache = tmp_path / "cache"
    resolved = resolve_query(query, image, cache_dir=cache)
    assert resolved.values == (hashlib.sha256(SECRET).hexdigest(),)
    prov = resolved.provenance
    assert (prov["analyzer"], prov["table"], prov["kind"], prov["rows_matched"]) == \
        ("disk", "disk.files", "disk", 1)
    assert prov["evidence_sha256"] == hashlib.sha256(image.read_bytes()).hexdigest()
    assert len(list((cache / "facts").glob("*.json"))) == 1
    copy = tmp_path / "renamed.bin"
    shutil.copy(image, copy)  # the cache is keyed by content: same entry, same answer
    assert resolve_query(query, copy, cache_dir=cache).values == resolved.values
    assert len(list((cache / "facts").glob("*.json"))) == 1


def test_an_e01_query_reads_acquisition_metadata(tmp_path: Path) -> None:
    e01 = DATA / "plaso_image.E01"
    resolved = resolve_query({"from": "ewf.media", "select": "examiner_name"}, e01)
    assert resolved.values == ("John Doe",)
    count = resolve_query({"from": "disk.files", "where": {"deleted": True}, "pick": "count"},
                          e01)
    assert count.values == (4,)  # fls -r -p -d lists four deleted names


def test_dflab_facts_prints_disk_tables_and_json(tmp_path: Path) -> None:
    e01 = DATA / "plaso_image.E01"
    code, out, _ = _run(str(e01), home=tmp_path)
    assert code == 0
    for table in ("ewf.media", "disk.volumes", "disk.files"):
        assert table in out
    assert "passwords.txt" in out
    code, out, _ = _run(str(e01), "--json", "--only", "disk", home=tmp_path)
    data = json.loads(out)
    assert (code, data["kind"]) == (0, "ewf")
    assert set(data["tables"]) == {"disk.partitions", "disk.volumes", "disk.files"}
    assert data["tables"]["disk.volumes"][0]["fs_type"] == "ext2"


def test_dflab_facts_reads_a_gzipped_image(tmp_path: Path) -> None:
    code, out, _ = _run(str(DATA / "dfirntfs_exfat_win.raw.gz"), "--json", home=tmp_path)
    data = json.loads(out)
    assert (code, data["kind"]) == (0, "disk")
    names = {r["name"] for r in data["tables"]["disk.files"] if r["deleted"]}
    assert {"1.bin", "333.bin", "555.bin", "Текстовый документ.txt"} <= names


def test_terminal_view_of_disk_tables_is_readable(tmp_path: Path) -> None:
    code, out, _ = _run(str(DATA / "plaso_image.E01"), home=tmp_path)
    assert code == 0
    lines = out.splitlines()
    # ewf.media (one wide row) reads as "field value" lines
    assert any(line.split() == ["examiner_name", "John", "Doe"] for line in lines)
    header = next(line for line in lines if line.split()[:2] == ["volume", "path"])
    assert header.split() == ["volume", "path", "inode", "type", "deleted", "size", "mtime",
                              "sha256"]  # the rest of disk.files is in --json


def test_fat_times_do_not_depend_on_the_local_zone(
        make_fat: MakeFat, monkeypatch: pytest.MonkeyPatch) -> None:
    image = make_fat({"a.txt": b"x"})
    utc_rows = list(analyze_evidence(image).tables["disk.files"])
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        ny_rows = list(analyze_evidence(image).tables["disk.files"])
        assert time.localtime().tm_gmtoff != 0  # the caller's zone is put back
    finally:
        monkeypatch.undo()
        time.tzset()
    assert ny_rows == utc_rows
    assert any(r["mtime"] for r in utc_rows if r["name"] == "a.txt")


def test_export_objects_on_a_disk_image_says_it_exports_nothing(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, _, err = _run(str(DATA / "plaso_image.E01"), "--export-objects", str(out_dir),
                        home=tmp_path)
    assert code == 0
    assert "is ewf evidence, nothing exported" in " ".join(err.split())
    assert not out_dir.exists() or not any(out_dir.iterdir())
