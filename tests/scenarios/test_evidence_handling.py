"""scenarios/evidence-handling.yaml (issue 13, first-responder): every variant
self-tests, a seed repeats byte for byte, and each variant's answer sheet is what the
reference tools (ewfinfo, ewfverify, sha256sum, cmp, The Sleuth Kit) and a reading of
the custody form give on that variant's files."""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CliRunner, verified_variants

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "evidence-handling.yaml"
FILES = ["stick.E01", "acquisition.log", "custody.csv", "copy-A.dd", "copy-B.dd", "copy-C.dd"]


def out_of(*argv: str) -> str:
    path = shutil.which(argv[0])
    assert path, f"reference tool '{argv[0]}' is missing: see tools/system-packages.txt"
    done = subprocess.run([path, *argv[1:]], capture_output=True, text=True, check=False,
                          env={**os.environ, "TZ": "UTC"})
    return done.stdout + done.stderr


def variant(cli: CliRunner, seed: int, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    made = cli("variant", str(SCENARIO), "--seed", str(seed), "--out", str(out))
    assert made.code == 0, made.stderr
    sheet = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    values = json.loads((out / "variant.json").read_text(encoding="utf-8"))["values"]
    return sheet, values


@pytest.mark.slow
def test_verify_twenty_variants(cli: CliRunner) -> None:
    rows = verified_variants(cli, SCENARIO)
    # ewf.media (examiner, verified MD5, SHA-256) and disk.files agree in every variant
    assert all(v["cross_checked"] == 4 for v in rows)
    assert len({v["sha256"]["stick.E01"] for v in rows}) == 20


def test_a_seed_repeats_byte_for_byte_and_seats_differ(cli: CliRunner, tmp_path: Path) -> None:
    first, _ = variant(cli, 1, tmp_path / "a")
    second, _ = variant(cli, 2, tmp_path / "b")
    again, _ = variant(cli, 1, tmp_path / "c")
    assert first == again
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()
    differ = [t for t in first if first[t] != second[t]]
    assert len(differ) >= len(first) * 0.6, (first, second)


@pytest.mark.parametrize("seed", [3, 17])
def test_answers_are_what_the_reference_tools_give(seed: int, cli: CliRunner,
                                                   tmp_path: Path) -> None:
    sheet, values = variant(cli, seed, tmp_path)
    e01 = str(tmp_path / "stick.E01")
    info = out_of("ewfinfo", e01)
    assert f"Examiner name:\t\t{sheet['examiner']}" in info
    acquired = values["image"]["acquired"]
    verify = out_of("ewfverify", "-d", "sha256", e01)
    assert "ewfverify: SUCCESS" in verify
    assert f"MD5 hash calculated over data:\t\t{sheet['media-md5']}" in verify
    assert f"SHA256 hash calculated over data:\t{sheet['media-sha256']}" in verify
    log = (tmp_path / "acquisition.log").read_text(encoding="utf-8")
    assert sheet["media-md5"] in log and sheet["media-sha256"] in log
    assert acquired[11:19] in log  # the start time the E01 header also carries
    # sha256sum: exactly one copy differs from the acquisition hash
    sums = dict(reversed(line.split("  ")) for line in out_of(
        "sha256sum", *(str(tmp_path / n) for n in FILES[3:])).splitlines())
    bad = [Path(p).name for p, digest in sums.items() if digest != sheet["media-sha256"]]
    assert bad == [sheet["tampered-copy"]]
    good = next(str(tmp_path / n) for n in FILES[3:] if n != bad[0])
    first = out_of("cmp", good, str(tmp_path / bad[0]))
    assert f"differ: byte {int(sheet['offset']) + 1}," in first
    assert int(sheet["sector"]) == int(sheet["offset"]) // 512
    entry = out_of("ifind", "-d", str(sheet["sector"]), e01).strip()
    assert out_of("ffind", e01, entry).strip() == sheet["altered-file"]
    assert f"Total: {sheet['original-total']} UAH" in out_of("icat", e01, entry)
    holder, gap = _read_custody(tmp_path / "custody.csv", values["ask_time"])
    assert (holder, gap) == (sheet["custody-holder"], sheet["custody-gap"])


def _read_custody(form: Path, ask: str) -> tuple[str, str]:
    """Who held the item at ``ask`` and who released it without a row receiving it."""
    lines = form.read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader(lines[lines.index(next(x for x in lines
                                                      if x.startswith("date_time"))):]))
    when = ask.removesuffix(" UTC")
    holder = [r["received_by"] for r in rows if r["date_time"] <= when][-1]
    gaps = [r["released_by"] for before, r in itertools.pairwise(rows)
            if r["released_by"] != before["received_by"]]
    assert len(gaps) == 1, rows
    return holder, gaps[0]
