"""Damaged disk evidence: a clear warning or error naming the file (and offset where it
can), never a traceback or a hang, and every fact that can still be made is made.
Random damage (hypothesis over mutated real images): tests/fuzz/test_fuzz_disk.py."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from evidence.kinds.conftest import MakeFat, sh
from runner.errors import EvidenceError
from runner.evidence.kinds.dispatch import analyze_evidence

DATA = Path(__file__).resolve().parents[2] / "data" / "disk"


def _unpacked(name: str, tmp_path: Path) -> Path:
    out = tmp_path / name.removesuffix(".gz")
    with gzip.open(DATA / name, "rb") as src, out.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def test_truncated_fat_keeps_the_listing_and_names_the_cut(
        tmp_path: Path, make_fat: MakeFat) -> None:
    files = {f"f{i}.bin": bytes([i]) * 200_000 for i in range(10)}
    image = make_fat(files, size_kib=8192)
    cut = tmp_path / "cut.img"
    cut.write_bytes(image.read_bytes()[:1_000_000])
    facts = analyze_evidence(cut)
    names = {r["name"] for r in facts.tables["disk.files"]}
    assert {f"f{i}.bin" for i in range(10)} <= names  # the directory survived the cut
    hashed = [r for r in facts.tables["disk.files"] if r["name"].startswith("f") and
              r["sha256"]]
    assert 0 < len(hashed) < 10  # files before the cut still hashed
    assert any("cut.img" in w and "offset" in w for w in facts.warnings), facts.warnings


def test_truncated_partitioned_ntfs_keeps_the_partition_table(tmp_path: Path) -> None:
    image = _unpacked("dfirntfs_ntfs_index.raw.gz", tmp_path)
    cut = tmp_path / "ntfs-cut.raw"
    cut.write_bytes(image.read_bytes()[:10_000_000])
    facts = analyze_evidence(cut)
    assert [p["description"] for p in facts.tables["disk.partitions"]][2] == \
        "NTFS / exFAT (0x07)"
    assert any("ntfs-cut.raw: offset 10000000: partition 2 ends" in w for w in facts.warnings)
    assert any("ntfs-cut.raw: offset 65536: partition 2: no file system" in w
               for w in facts.warnings)


def test_a_looping_directory_is_listed_once_and_named(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "a" / "b" / "f.txt").write_bytes(b"hi\n")
    image = tmp_path / "loop.img"
    sh("mkfs.ext4", "-q", "-F", "-d", str(tree), str(image), "4M")
    sh("debugfs", "-w", "-R", "ln /a /a/b/loop", str(image))  # a/b/loop is a again
    facts = analyze_evidence(image)
    paths = [r["path"] for r in facts.tables["disk.files"]]
    assert paths.count("a/b/loop") == 1
    assert not any(p.startswith("a/b/loop/") for p in paths)
    assert facts.warnings == ["loop.img: offset 0: volume -1: directory 'a/b/loop' "
                              "(inode 12) loops back to an ancestor; not entered again"]


def _e01(tmp_path: Path, make_fat: MakeFat) -> tuple[Path, bytes]:
    payload = b"\xff\xd8\xff\xe0" + b"".join(b"evidence %6d " % i for i in range(20_000))
    image = make_fat({"photo.jpg": payload})
    target = tmp_path / "stick"
    sh("ewfacquire", "-u", "-t", str(target), "-c", "none", "-S", "0", "-C", "c1", "-E",
       "e1", "-e", "x", "-D", "d", "-N", "n", "-m", "removable", "-M", "physical", str(image))
    return target.with_suffix(".E01"), payload


def test_e01_with_a_damaged_chunk_warns_and_still_lists_files(
        tmp_path: Path, make_fat: MakeFat) -> None:
    e01, payload = _e01(tmp_path, make_fat)
    data = bytearray(e01.read_bytes())
    at = data.find(payload[200_000:200_100])
    data[at + 50] ^= 0xFF  # a data chunk far from the directories: its checksum fails
    bad = tmp_path / "bad-chunk.E01"
    bad.write_bytes(bytes(data))
    facts = analyze_evidence(bad)
    media = facts.tables["ewf.media"][0]
    assert media["verified"] is False
    assert any(w.startswith("bad-chunk.E01: stored MD5") for w in facts.warnings)
    assert "photo.jpg" in {r["name"] for r in facts.tables["disk.files"]}


def test_e01_with_a_damaged_section_is_one_error_naming_the_file(
        tmp_path: Path, make_fat: MakeFat) -> None:
    e01, _ = _e01(tmp_path, make_fat)
    data = bytearray(e01.read_bytes())
    data[data.find(b"volume") + 76 + 8] ^= 0xFF  # the volume section's data
    bad = tmp_path / "bad-section.E01"
    bad.write_bytes(bytes(data))
    with pytest.raises(EvidenceError, match="checksum does not match") as info:
        analyze_evidence(bad)
    assert info.value.where == str(bad)


def test_a_truncated_e01_warns_instead_of_failing(tmp_path: Path) -> None:
    cut = tmp_path / "cut.E01"
    cut.write_bytes((DATA / "velociraptor_partition_image.E01").read_bytes()[:80_000])
    facts = analyze_evidence(cut)
    assert facts.tables["ewf.media"][0]["verified"] is False
    assert any(w.startswith("cut.E01: offset 0: E01 chunk unreadable") for w in facts.warnings)


def test_an_e01_missing_a_segment_file_lists_what_the_others_hold(
        tmp_path: Path, make_fat: MakeFat) -> None:
    files = {f"f{i}.bin": bytes([65 + i]) * 300_000 for i in range(20)}
    image = make_fat(files, size_kib=16_384)
    target = tmp_path / "seg"
    sh("ewfacquire", "-u", "-t", str(target), "-c", "none", "-S", "1048576", "-C", "c",
       "-E", "e", "-e", "x", "-D", "d", "-N", "n", "-m", "removable", "-M", "physical",
       str(image))
    segments = sorted(tmp_path.glob("seg.E*"))
    assert len(segments) > 6
    segments[4].unlink()
    facts = analyze_evidence(target.with_suffix(".E01"))
    assert {f"f{i}.bin" for i in range(20)} <= {r["name"] for r in facts.tables["disk.files"]}
    assert facts.tables["ewf.media"][0]["verified"] is False
    named = [w for w in facts.warnings if "E01 chunk unreadable" in w]
    assert 0 < len(named) <= 10 and all(w.startswith("seg.E01: offset ") for w in named)
    assert any("chunk(s) unreadable, the first at offset" in w for w in facts.warnings)


def test_a_cut_gzip_stream_is_analysed_as_far_as_it_goes(tmp_path: Path) -> None:
    cut = tmp_path / "cut.raw.gz"
    cut.write_bytes((DATA / "dfirntfs_fat_deleted_dir_2.raw.gz").read_bytes()[:9000])
    facts = analyze_evidence(cut)
    assert any("gzip stream cut short" in w for w in facts.warnings)


def test_a_decompression_bomb_is_refused_naming_the_file(tmp_path: Path) -> None:
    from runner.evidence.kinds import unpack

    bomb = tmp_path / "bomb.img.gz"
    bomb.write_bytes(gzip.compress(bytes(4 * 1024 * 1024)))
    with pytest.raises(EvidenceError, match="unpacks to more than 1048576 bytes") as info, \
            unpack.unpacked(bomb, "gzip", gzip.open, lambda _: None, limit=1024 * 1024):
        pass
    assert info.value.where == str(bomb)


def test_a_corrupt_xz_stream_is_one_error(tmp_path: Path) -> None:
    import lzma

    data = bytearray(lzma.compress(b"x" * 100_000))
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "image.raw.xz"
    bad.write_bytes(bytes(data))
    with pytest.raises(EvidenceError, match="damaged xz stream") as info:
        analyze_evidence(bad)
    assert info.value.where == str(bad)
