"""A trainee in the real disk lab solves osint-metadata offline with the tools its hints
name (exiftool, unzip, grep, sha256sum, python3) and scores full marks: the lab's copy
of the variant is the one the keys were computed from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.docker

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "osint-metadata.yaml"
CHANNEL_EMAIL = ("import json, sys; d = json.load(open(sys.argv[1])); "
                 "print([e['text'] for m in d['messages'] for e in m['text_entities'] "
                 "if e['type'] == 'email'][0])")
SCRIPT = (
    "set -eu; cd /work; unzip -q /evidence/snapshots.zip; "
    "lab answer serial \"$(exiftool -s3 -SerialNumber /evidence/forum-photo.jpg)\"; "
    "lab answer place \"$(exiftool -s3 -GPSPosition /evidence/lot-photo.jpg)\"; "
    "lab answer taken \"$(exiftool -s3 -GPSDateTime /evidence/lot-photo.jpg)\"; "
    "lab answer editor \"$(unzip -p /evidence/price-list.docx docProps/core.xml | "
    "sed -n 's|.*<cp:lastModifiedBy>\\(.*\\)</cp:lastModifiedBy>.*|\\1|p')\"; "
    "H=$(grep -l 'leaked' snapshots/forum/*.html | sed 's:.*member-\\(.*\\)\\.html:\\1:'); "
    "lab answer username \"$H\"; "
    "lab answer avatar \"$(sha256sum snapshots/market/seller-${H}_files/*.png | cut -d' ' -f1)\"; "
    "C=$(grep -o 'hovir.example/[A-Za-z0-9_]*\"' snapshots/forum/member-$H.html | head -1 | "
    "sed 's:.*/::; s:\"::'); "
    f"lab answer email \"$(python3 -c \"{CHANNEL_EMAIL}\" snapshots/channels/$C/result.json)\"; "
    "lab answer phone \"$(grep -o 'tel:[^\"]*' snapshots/market/seller-$H.html | cut -d: -f2)\"; "
    "lab score; "
    # exiftool reads the DOCX's own metadata as well (the image ships Archive::Zip for it)
    "X=$(exiftool -s3 -LastModifiedBy /evidence/price-list.docx); "
    "U=$(unzip -p /evidence/price-list.docx docProps/core.xml | "
    "sed -n 's|.*<cp:lastModifiedBy>\\(.*\\)</cp:lastModifiedBy>.*|\\1|p'); "
    "echo \"exiftool says: $X\"; test -n \"$X\" && test \"$X\" = \"$U\" && echo exiftool-agrees"
)


def test_a_trainee_solves_it_offline_in_the_disk_lab(cli: Any) -> None:
    built = cli("images", "build", "disk")  # a no-op when the image is current
    assert built.code == 0, built.stderr
    started = cli("start", str(SCENARIO), "--backend", "docker", "--seed", "9", "--run",
                  SCRIPT, "--remove")
    text = started.stdout
    assert started.code == 0, started.stderr + text
    assert "Score: 100/100" in text, text
    assert "exiftool-agrees" in text, text
