"""ewf.media agrees with ewfinfo and ewfverify (libewf's own tools) on real E01 images
and on a damaged copy."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from evidence.kinds.conftest import sh, tool
from runner.evidence.kinds.dispatch import analyze_evidence

DATA = Path(__file__).resolve().parents[2] / "data" / "disk"
FIELDS = {"Case number": "case_number", "Evidence number": "evidence_number",
          "Description": "description", "Examiner name": "examiner_name", "Notes": "notes",
          "Acquisition date": "acquiry_date", "System date": "system_date",
          "Operating system used": "acquiry_operating_system",
          "Software version used": "acquiry_software_version",
          "Sectors per chunk": "sectors_per_chunk", "Bytes per sector": "bytes_per_sector",
          "Number of sectors": "sectors", "MD5": "stored_md5"}


def ewfinfo(image: Path) -> dict[str, str]:
    found = {}
    for line in sh("ewfinfo", str(image)).decode("utf-8", "replace").splitlines():
        key, sep, value = line.strip().partition(":")
        if sep and key in FIELDS:
            found[FIELDS[key]] = value.strip()
    return found


def ewfverify_ok(image: Path) -> bool:
    done = subprocess.run([tool("ewfverify"), "-q", str(image)], capture_output=True,
                          check=False)
    return done.returncode == 0


@pytest.mark.parametrize("name", ["plaso_image.E01", "velociraptor_partition_image.E01"])
def test_media_agrees_with_ewfinfo_and_ewfverify(name: str) -> None:
    media = analyze_evidence(DATA / name).tables["ewf.media"][0]
    shown = ewfinfo(DATA / name)
    assert shown  # ewfinfo printed the fields
    for field, value in shown.items():
        assert str(media[field]) == value, field
    assert media["verified"] is ewfverify_ok(DATA / name) is True


def test_a_damaged_chunk_fails_both(tmp_path: Path) -> None:
    data = bytearray((DATA / "plaso_image.E01").read_bytes())
    data[2500] ^= 0xFF  # inside the compressed data chunk (the sections still open)
    bad = tmp_path / "bad.E01"
    bad.write_bytes(bytes(data))
    media = analyze_evidence(bad).tables["ewf.media"][0]
    assert media["verified"] is ewfverify_ok(bad) is False
