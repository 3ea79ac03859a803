"""tor-browser: each variant's answer sheet is what the reference tools read from that
variant's evidence, the way the hints tell a trainee to: the sqlite3 shell on
places.sqlite, tshark on the capture, Tor's own state and torrc files, and the hint's
python3 one-liner on the note's two addresses."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from helpers import CliRunner

from runner.generate import onion
from runner.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "tor-browser.yaml"


def run(*argv: str) -> str:
    path = shutil.which(argv[0])
    assert path, f"reference tool '{argv[0]}' is missing: see tools/system-packages.txt"
    return subprocess.run([path, *argv[1:]], capture_output=True, text=True,
                          check=True).stdout


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(" ", "T").replace("Z", "")[:19]).replace(
        tzinfo=UTC)


@pytest.fixture(scope="module", params=[4, 21])
def variant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            ) -> tuple[Path, dict[str, str]]:
    out = tmp_path_factory.mktemp(f"tor-browser-{request.param}")
    made = subprocess.run([sys.executable, "-m", "runner.cli", "variant", str(SCENARIO),
                           "--seed", str(request.param), "--out", str(out)],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    sheet = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    return out, {k: str(v) for k, v in sheet.items()}


def test_sqlite3_reads_the_market_its_first_visit_and_the_download(
        variant: tuple[Path, dict[str, str]]) -> None:
    out, sheet = variant
    db = str(out / "places.sqlite")
    top = run("sqlite3", db, "SELECT rev_host, SUM(visit_count) FROM moz_places WHERE rev_host "
                             "LIKE 'noino.%' GROUP BY rev_host ORDER BY 2 DESC LIMIT 1")
    assert top.split("|")[0][::-1].lstrip(".") == sheet["market"]
    first = run("sqlite3", db, "SELECT datetime(MIN(v.visit_date) / 1000000, 'unixepoch') FROM "
                               "moz_historyvisits v JOIN moz_places p ON p.id = v.place_id "
                               f"WHERE p.url = 'http://{sheet['market']}/'")
    assert when(first.strip()) == when(sheet["market-first"])
    page = run("sqlite3", db, "SELECT p.url FROM moz_historyvisits v JOIN moz_places p ON "
                              "p.id = v.place_id WHERE v.id IN (SELECT from_visit FROM "
                              "moz_historyvisits WHERE visit_type = 7)")
    assert page.strip() == sheet["order-page"]
    target, source = run("sqlite3", db, (
        "SELECT a.content, p.url FROM moz_annos a JOIN moz_anno_attributes n ON n.id = "
        "a.anno_attribute_id JOIN moz_places p ON p.id = a.place_id WHERE n.name = "
        "'downloads/destinationFileURI'")).strip().split("|")
    assert target == "file://" + sheet["download-path"].replace(" ", "%20")
    assert source.split("/")[2] == sheet["download-onion"]
    prefs = (out / "prefs.js").read_text(encoding="utf-8")
    assert 'user_pref("browser.privatebrowsing.autostart", false);' in prefs


def test_state_torrc_and_capture_name_the_same_bridge(
        variant: tuple[Path, dict[str, str]]) -> None:
    out, sheet = variant
    state = (out / "state").read_text(encoding="utf-8")
    (confirmed,) = [line for line in state.splitlines()
                    if line.startswith("Guard in=bridges") and "confirmed_idx=0" in line]
    found = re.search(r"rsa_id=([0-9A-F]{40}) bridge_addr=([\d.]+):(\d+) ", confirmed)
    assert found, confirmed
    fingerprint, address, port = found.groups()
    assert address == sheet["bridge"]
    bridges = [line.split()[1:] for line in (out / "torrc").read_text().splitlines()
               if line.startswith("Bridge ")]
    assert len(bridges) == 3 and [f"{address}:{port}", fingerprint] in bridges
    hellos = run("tshark", "-r", str(out / "home-evening.pcap"), "-Y",
                 "tls.handshake.type == 1 && !tls.handshake.extensions_alpn_str", "-T", "fields",
                 "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.dstport")
    rows = [line.split("\t") for line in hellos.splitlines()]
    assert {(r[1], r[2], r[3]) for r in rows} == {(sheet["laptop-ip"], address, port)}
    started = datetime.fromtimestamp(float(rows[0][0]), UTC)
    assert abs((started - when(sheet["tor-start"])).total_seconds()) < 1
    # Tor reached the bridge before the browser's first page of the evening
    first = run("sqlite3", str(out / "places.sqlite"), "SELECT datetime(MIN(visit_date) / "
                "1000000, 'unixepoch') FROM moz_historyvisits")
    assert when(first.strip()) > started
    for other in bridges:
        assert other[0].split(":")[0] == address or other[0].split(":")[0] not in hellos


def test_the_hints_one_liner_tells_the_real_address_from_the_typo(
        variant: tuple[Path, dict[str, str]]) -> None:
    out, sheet = variant
    note = re.findall(r"[a-z2-7]{56}\.onion", (out / "note.txt").read_text(encoding="utf-8"))
    assert sheet["note-address"] in note and len(note) == 2
    task = next(t for t in load_scenario(SCENARIO).model.tasks if t.id == "note-address")
    hint = task.hints[1].text
    assert isinstance(hint, dict)
    argv = shlex.split(hint["en"].replace("ADDRESS", "").strip())
    for address in note:
        printed = run(*argv, address).strip()
        assert printed == str(address == sheet["note-address"])
        assert onion.is_valid(address) == (address == sheet["note-address"])


def test_every_onion_address_in_the_history_is_well_formed(
        variant: tuple[Path, dict[str, str]]) -> None:
    out, _sheet = variant
    urls = run("sqlite3", str(out / "places.sqlite"), "SELECT url FROM moz_places")
    found = set(re.findall(r"[a-z2-7]{56}\.onion", urls))
    assert len(found) == 4 and all(onion.is_valid(a) for a in found)


def test_the_variants_own_answer_sheet_earns_full_marks(cli: CliRunner,
                                                        tmp_path: Path) -> None:
    assert cli("variant", str(SCENARIO), "--seed", "8", "--out", str(tmp_path)).code == 0
    graded = cli("grade", str(SCENARIO), "--seed", "8", "--answers",
                 str(tmp_path / "answers.yaml"), "--json")
    assert graded.code == 0, graded.stderr
    assert json.loads(graded.stdout)["total"]["percent"] == 100.0
