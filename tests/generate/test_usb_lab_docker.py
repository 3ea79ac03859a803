"""A trainee in the real disk lab recovers a deleted file from a generated USB image with
The Sleuth Kit, and ``lab submit`` accepts it: the key is the story's SHA-256."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.docker

SCENARIO = Path(__file__).resolve().parent / "data" / "usb-lab-scenario.yaml"
SCRIPT = (
    "set -u; ls -l /evidence; fls -r -p -d /evidence/usb.img; "
    "ADDR=$(fls -r -p -d /evidence/usb.img | awk -F'[ :\\t]+' '/Secret Note/ {print $3}'); "
    "icat /evidence/usb.img \"$ADDR\" > /work/recovered.txt; "
    "lab answer path '\\Documents\\secret note.txt'; lab submit recovered /work/recovered.txt; "
    "lab score; touch /evidence/usb.img 2>/dev/null || echo evidence-read-only; "
    "grep ' /evidence/' /proc/mounts; "
    "for t in fls icat mmls istat ifind ffind ewfinfo ewfverify cmp sha256sum photorec testdisk "
    "foremost exiftool sqlite3 file xxd binwalk strings unzip python3; "
    "do command -v $t >/dev/null || echo missing-$t; done"
)


def test_icat_recovers_the_deleted_file_and_lab_submit_accepts_it(cli: Any,
                                                                  tmp_path: Path) -> None:
    # the disk image as this tree defines it (a no-op when its context hash is current):
    # 'dflab start' only notes an out-of-date image, and the tool check below needs ours
    built = cli("images", "build", "disk")
    assert built.code == 0, built.stderr
    out = tmp_path / "v"
    assert cli("variant", str(SCENARIO), "--seed", "5", "--out", str(out)).code == 0
    started = cli("start", str(SCENARIO), "--backend", "docker", "--seed", "5", "--run",
                  SCRIPT, "--remove")
    text = started.stdout
    assert started.code == 0, started.stderr + text
    assert "r/r * " in text and "Documents/Secret Note.txt" in text
    assert "task recovered: 10/10 points" in text, text
    assert "Score: 15/15" in text, text
    assert "evidence-read-only" in text
    mounts = [line for line in text.splitlines() if " /evidence/" in line]
    assert mounts and all(" ro," in line or " ro " in line for line in mounts), mounts
    assert "missing-" not in text, text  # the disk profile's tools are all there
    # the lab saw this seed's variant: the same bytes the trainer's copy has
    assert (out / "usb.img").stat().st_size == 40 * 1024 * 1024
