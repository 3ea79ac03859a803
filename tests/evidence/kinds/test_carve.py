"""carve.signatures: deleted pictures and documents found in unallocated space,
each hit confirmed unallocated by The Sleuth Kit's blkstat and its bytes by dd-style reads."""

from __future__ import annotations

from pathlib import Path

from evidence.kinds.conftest import MakeFat, sh
from runner.evidence.kinds.dispatch import analyze_evidence

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 30
PDF = b"%PDF-1.7\n" + b"secret plans " * 400
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 3000


def test_deleted_files_are_found_at_block_starts_in_unallocated_space(
        make_fat: MakeFat) -> None:
    image = make_fat({"keep.png": PNG, "dcim/holiday.jpg": JPEG, "docs/plan.pdf": PDF},
                     deleted=("dcim/holiday.jpg", "docs/plan.pdf"))
    facts = analyze_evidence(image, ["carve"])
    hits = list(facts.tables["carve.signatures"])
    assert {h["signature"] for h in hits} == {"jpeg", "pdf"}  # the live PNG is allocated
    assert {h["deleted_path"] for h in hits} == {"dcim/_oliday.jpg", "docs/_lan.pdf"}
    raw = image.read_bytes()
    for hit in hits:
        assert raw[hit["offset"]:hit["offset"] + 3] in (JPEG[:3], PDF[:3])
        status = sh("blkstat", str(image), str(hit["block"])).decode()
        assert "Not Allocated" in status, status


def test_carving_reads_an_e01_like_a_raw_image(tmp_path: Path, make_fat: MakeFat) -> None:
    image = make_fat({"a.jpg": JPEG}, deleted=("a.jpg",))
    target = tmp_path / "stick"
    sh("ewfacquire", "-u", "-t", str(target), "-c", "none", "-S", "0", "-C", "case 7",
       "-E", "item 1", "-e", "examiner", "-D", "usb stick", "-N", "none", "-m", "removable",
       "-M", "physical", str(image))
    e01 = target.with_suffix(".E01")
    facts = analyze_evidence(e01)
    assert facts.kind == "ewf"
    assert [h["signature"] for h in facts.tables["carve.signatures"]] == ["jpeg"]
    media = facts.tables["ewf.media"][0]
    assert (media["case_number"], media["verified"]) == ("case 7", True)
    assert media["media_size"] == image.stat().st_size


def test_a_picture_hidden_between_partitions_is_found(tmp_path: Path) -> None:
    from evidence.kinds import tsk

    image = tmp_path / "gpt.img"
    with image.open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)
    table = ('label: gpt\n'
             'start=2048, size=30000, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n'
             'start=34816, size=40000, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n')
    sh("sfdisk", "-q", str(image), stdin=table.encode())
    sh("mkfs.vfat", "--offset", "2048", "-F", "16", "-s", "1", str(image), "15000")
    with image.open("r+b") as handle:  # between the partitions: sectors 32048-34815
        handle.seek(32100 * 512)
        handle.write(JPEG)
    hits = list(analyze_evidence(image, ["carve"]).tables["carve.signatures"])
    assert [(h["offset"], h["block"], h["signature"]) for h in hits] == \
        [(32100 * 512, 32100, "jpeg")]
    gap = {slot: (start, length, what) for slot, start, length, what in tsk.mmls(image)}
    start, length, what = gap[hits[0]["volume"]]
    assert what == "Unallocated" and start <= 32100 < start + length
