"""phishing-chain in the real network lab: the trainee carves the download with tshark,
finds it on the ext4 image and recovers the deleted copy with debugfs (no Sleuth Kit in
this lab), and ``lab`` accepts both the hash and the recovered file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.docker

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "phishing-chain.yaml"
# Tasks gating the disk ones are answered from the trainer's sheet; the rest is done with
# the lab's own tools, as the hints say.
SCRIPT = """set -u
lab answer phish-origin {phish-origin}; lab answer lure-domain {lure-domain}
lab answer victim-ip {victim-ip}
mkdir /work/o; tshark -r /evidence/office.pcap -Q --export-objects http,/work/o
lab answer file-sha256 $(sha256sum '/work/o/{file}' | cut -d' ' -f1)
S=$(file /evidence/workstation.img | sed -n 's/.*startsector \\([0-9]*\\).*/\\1/p')
IMG="/evidence/workstation.img?offset=$((S * 512))"
debugfs -R 'ls -l /home/{login}/Downloads' "$IMG"
lab answer disk-path '/home/{login}/Downloads/{file}'
INO=$(debugfs -R 'ls -d /home/{login}/.cache' "$IMG" 2>/dev/null | grep -o '<[0-9]*>' | tr -d '<>')
debugfs -R "dump <$INO> /work/copy" "$IMG"
lab submit deleted-copy /work/copy
lab score
"""


def test_tshark_and_debugfs_in_the_network_lab_solve_the_chain(cli: Any,
                                                                 tmp_path: Path) -> None:
    built = cli("images", "build", "network")
    assert built.code == 0, built.stderr
    out = tmp_path / "v"
    assert cli("variant", str(SCENARIO), "--seed", "5", "--out", str(out)).code == 0
    values = json.loads((out / "variant.json").read_text())["values"]
    sheet = yaml.safe_load((out / "answers.yaml").read_text())
    script = SCRIPT.format(file=values["file_name"], login=values["who"]["login"], **sheet)
    started = cli("start", str(SCENARIO), "--backend", "docker", "--seed", "5", "--run",
                  script, "--remove")
    text = started.stdout
    assert started.code == 0, started.stderr + text
    assert values["file_name"] in text  # debugfs listed Downloads
    for task, points in (("file-sha256", 15), ("disk-path", 15), ("deleted-copy", 20)):
        assert f"task {task}: {points}/{points} points" in text, text
