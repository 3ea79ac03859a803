"""phishing-chain: one story, three pieces of evidence that must link. The file carved from
the capture with tshark, the file in Downloads and the deleted copy recovered from the disk
image with The Sleuth Kit and the story's key are the same bytes; the mail's link is the
URL downloaded; the story's table of times agrees with itself and with what was generated.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CliRunner

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "phishing-chain.yaml"
STORY = yaml.safe_load((ROOT / "scenarios" / "stories" / "phishing-chain.yaml").read_text())


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is needed (tools/system-packages.txt; make system-deps)"
    return found


def _run(*argv: str) -> bytes:
    return subprocess.run([_tool(argv[0]), *argv[1:]], capture_output=True, check=True).stdout


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("slot", STORY["variables"]["slot"]["choice"], ids=lambda s: s["mail"])
def test_every_row_of_the_time_table_adds_up(slot: dict[str, Any]) -> None:
    day = datetime(2024, 3, 11, tzinfo=UTC)

    def clock(text: str) -> datetime:
        h, m, s = map(int, text.split(":"))
        return day + timedelta(hours=h, minutes=m, seconds=s)

    start = clock(slot["start"])
    download = start + timedelta(seconds=slot["download"])
    gap = (download - clock(slot["mail"])).total_seconds()
    # whole minutes plus 12-28 s: no reading of the mail's times (Date, or a Received
    # line a few seconds later) rounds to another number
    assert gap // 60 == slot["minutes"] and 12 <= gap % 60 <= 28
    assert clock(slot["saved"]) == download + timedelta(seconds=1)
    assert 0 < slot["download"] - slot["lookup"] < 1 and 0 < slot["beacon"] - slot["c2_lookup"] < 1
    assert slot["c2_lookup"] > slot["download"] + 30
    longest = max(STORY["variables"]["interval"]["choice"]) * 1.2
    last = slot["beacon"] + STORY["variables"]["checkins"]["range"][1] * longest
    assert last < STORY["outputs"]["capture"]["duration"]


def _variant(cli: CliRunner, seed: int, out: Path) -> dict[str, Any]:
    made = cli("variant", str(SCENARIO), "--seed", str(seed), "--out", str(out))
    assert made.code == 0, made.stderr
    values: dict[str, Any] = json.loads((out / "variant.json").read_text())["values"]
    return values


def _icat(image: Path, path: str) -> tuple[bytes, bool]:
    """The content of ``path`` as icat gives it, found with fls; and whether it is deleted."""
    offset = next(line.split()[2] for line in _run("mmls", str(image)).decode().splitlines()
                  if "Linux" in line)
    listing = _run("fls", "-r", "-p", "-o", offset, str(image)).decode().splitlines()
    row = next(r for r in listing if r.endswith("\t" + path.lstrip("/")))
    inode = row.split()[-2].rstrip(":")
    return _run("icat", "-o", offset, str(image), inode), " * " in row


@pytest.mark.parametrize("seed", [1, 8])
def test_the_file_on_the_wire_is_the_file_on_the_disk_and_the_key(cli: CliRunner,
                                                                  tmp_path: Path,
                                                                  seed: int) -> None:
    out = tmp_path / "v"
    values = _variant(cli, seed, out)
    dl, disk, mail = values["dl"], values["disk"], values["mail"]
    objects = tmp_path / "objects"
    _run("tshark", "-r", str(out / "office.pcap"), "-Q", "--export-objects",
         f"http,{objects}")
    carved = (objects / values["file_name"]).read_bytes()
    in_downloads, deleted = _icat(out / "workstation.img",
                                  f"/home/{values['who']['login']}/Downloads/{values['file_name']}")
    copy, copy_deleted = _icat(out / "workstation.img", disk["deleted"][0]["path"])
    assert not deleted and copy_deleted
    digest = hashlib.sha256(carved).hexdigest()
    assert digest == dl["sha256"] == hashlib.sha256(in_downloads).hexdigest()
    assert hashlib.sha256(copy).hexdigest() == digest != mail["phish"]["attachment"]["sha256"]
    sheet = yaml.safe_load((out / "answers.yaml").read_text())
    assert sheet["file-sha256"] == digest
    assert hashlib.sha256((out / sheet["deleted-copy"]["file"]).read_bytes()).hexdigest() == digest
    # the link leads to the download, and the times keep the story's order
    assert mail["phish"]["link"] == dl["url"]
    arrived, requested = _when(mail["phish"]["date"]), _when(dl["first_time"])
    assert (requested - arrived).total_seconds() // 60 == values["slot"]["minutes"]
    looked_up, c2_looked_up = (_when(values[e]["first_time"]) for e in ("lure_dns", "c2_dns"))
    assert looked_up < requested < c2_looked_up < _when(values["beacon"]["first_time"])
    saved = next(f for f in disk["files"] if f["sha256"] == digest)["modified"]
    assert timedelta(0) < _when(saved) - requested <= timedelta(seconds=1)
