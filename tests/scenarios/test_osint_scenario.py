"""osint-metadata: every variant self-tests (dflab verify --variants 20), seats differ, a
seed repeats byte for byte, and each variant's answer sheet is what exiftool, unzip,
sha256sum-style hashing and the JSON export read from that variant's evidence, as the
hints tell a trainee to read them."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CliRunner, verified_variants

from runner.checkers.geo import parse_geo

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "osint-metadata.yaml"


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"reference tool '{name}' is missing: see tools/system-packages.txt"
    return path


def out_of(*argv: str) -> str:
    return subprocess.run([tool(argv[0]), *argv[1:]], capture_output=True, text=True,
                          check=True).stdout


def variant(cli: CliRunner, seed: int, out: Path) -> dict[str, Any]:
    made = cli("variant", str(SCENARIO), "--seed", str(seed), "--out", str(out))
    assert made.code == 0, made.stderr
    sheet = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    assert isinstance(sheet, dict)
    return sheet


@pytest.mark.slow
def test_verify_twenty_variants(cli: CliRunner) -> None:
    rows = verified_variants(cli, SCENARIO)
    # dflab's document, EXIF and saved-page facts agree with the story in every task
    assert all(v["cross_checked"] == 8 for v in rows)
    assert len({v["sha256"]["snapshots.zip"] for v in rows}) == 20


def test_seats_differ_and_a_seed_repeats_byte_for_byte(cli: CliRunner, tmp_path: Path) -> None:
    first = variant(cli, 1, tmp_path / "a")
    second = variant(cli, 2, tmp_path / "b")
    again = variant(cli, 1, tmp_path / "c")
    assert first == again
    for name in ("price-list.docx", "forum-photo.jpg", "lot-photo.jpg", "snapshots.zip"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()
    differ = [t for t in first if first[t] != second[t]]
    assert len(differ) >= len(first) * 0.75, (first, second)
    graded = json.loads(cli("grade", str(SCENARIO), "--seed", "2", "--answers",
                            str(tmp_path / "a" / "answers.yaml"), "--json").stdout)
    assert graded["total"]["percent"] < 50.0  # a neighbour's answers do not fit


@pytest.mark.parametrize("seed", [3, 17])
def test_metadata_answers_are_what_exiftool_and_unzip_read(seed: int, cli: CliRunner,
                                                          tmp_path: Path) -> None:
    sheet = variant(cli, seed, tmp_path)
    core = out_of("unzip", "-p", str(tmp_path / "price-list.docx"), "docProps/core.xml")
    assert f"<cp:lastModifiedBy>{sheet['editor']}</cp:lastModifiedBy>" in core
    assert f"<dc:creator>{sheet['editor']}</dc:creator>" not in core  # author is another
    docx = str(tmp_path / "price-list.docx")  # exiftool needs Perl's Archive::Zip for this
    assert out_of("exiftool", "-s3", "-LastModifiedBy", docx).strip() == sheet["editor"]
    assert out_of("exiftool", "-s3", "-Creator", docx).strip() not in ("", sheet["editor"])
    serials = [out_of("exiftool", "-s3", "-SerialNumber", str(tmp_path / name)).strip()
               for name in ("forum-photo.jpg", "lot-photo.jpg")]
    assert serials == [str(sheet["serial"])] * 2
    stripped = json.loads(out_of("exiftool", "-j", str(tmp_path / "forum-photo.jpg")))[0]
    assert not [k for k in stripped if k.startswith("GPS")]
    kept = json.loads(out_of("exiftool", "-j", "-n", "-GPSLatitude", "-GPSLongitude",
                             "-GPSDateTime", "-DateTimeOriginal", "-OffsetTimeOriginal",
                             str(tmp_path / "lot-photo.jpg")))[0]
    lat, lon = parse_geo(str(sheet["place"]))
    assert abs(kept["GPSLatitude"] - lat) < 1e-5 and abs(kept["GPSLongitude"] - lon) < 1e-5
    taken = str(sheet["taken"]).replace("-", ":").replace("T", " ")
    assert kept["GPSDateTime"] == taken
    assert kept["OffsetTimeOriginal"] == "+02:00"
    assert kept["DateTimeOriginal"] != taken.rstrip("Z")  # local time, two hours later


@pytest.mark.parametrize("seed", [3, 17])
def test_profile_answers_are_what_the_saved_pages_say(seed: int, cli: CliRunner,
                                                      tmp_path: Path) -> None:
    sheet = variant(cli, seed, tmp_path)
    pages = tmp_path / "x"
    out_of("unzip", "-q", str(tmp_path / "snapshots.zip"), "-d", str(pages))
    lot = str(json.loads((tmp_path / "variant.json").read_text())["values"]["lot"])
    handle = str(sheet["username"])
    seller = (pages / "snapshots" / "market" / f"seller-{handle}.html").read_text()
    forum = (pages / "snapshots" / "forum" / f"member-{handle}.html").read_text()
    assert "leaked" in forum  # the leak thread is on this profile
    # grep -rl LOT snapshots/ (the first hint) finds the seller's page and the channel
    holding = sorted(str(p.relative_to(pages / "snapshots"))
                     for p in (pages / "snapshots").rglob("*.*")
                     if p.suffix in {".html", ".json"} and lot in p.read_text())
    assert holding[1] == f"market/seller-{handle}.html" and len(holding) == 2
    assert holding[0].startswith("channels/") and holding[0].endswith("/result.json")
    # the phone: the tel: link on the seller page, in the form the solution gives
    tel = re.search(r'href="tel:(\+\d+)">([^<]+)<', seller)
    assert tel and tel.group(2) == sheet["phone"]
    # the avatar: byte-identical image behind both pages, different from the decoys'
    hashes: dict[str, set[str]] = {}
    for image in (pages / "snapshots").glob("*/*_files/*.png"):
        owner = image.parent.name.split("-", 1)[1].removesuffix("_files")
        hashes.setdefault(owner, set()).add(hashlib.sha256(image.read_bytes()).hexdigest())
    assert hashes.pop(handle) == {sheet["avatar"]}
    assert hashes and all(sheet["avatar"] not in h for h in hashes.values())
    # the e-mail: the channel the forum signature links to, as the JSON export marks it
    channel = re.search(r'href="https://hovir\.example/([A-Za-z0-9_]+)"', forum)
    assert channel
    export = json.loads((pages / "snapshots" / "channels" / channel.group(1) /
                         "result.json").read_text())
    mails = [e["text"] for m in export["messages"] for e in m["text_entities"]
             if e["type"] == "email"]
    assert mails == [sheet["email"]]
    phones = [e["text"] for m in export["messages"] for e in m["text_entities"]
              if e["type"] == "phone"]
    assert phones == [sheet["phone"]]
