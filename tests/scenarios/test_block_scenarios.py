"""The course blocks' story scenarios (issue 13): tagged with their block and level, text
in English, Ukrainian and Russian, a wrong answer sheet per scenario graded to its stated
total, and the methods their explanations teach run with the reference tools.

Every variant's self-test (`dflab verify --variants 20`) runs in test_story_scenarios.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CliRunner

from runner.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = Path(__file__).resolve().parent / "answers"
# scenario id -> (block tag, level)
BLOCKS = {
    "wifi-deauth": ("wireless", "beginner"),
    "cleartext-logins": ("credentials", "intermediate"),
    "lan-mitm": ("mitm", "beginner"),
    "dmz-recon": ("port-scan", "intermediate"),
    "tor-office": ("darkweb", "beginner"),
    "tor-browser": ("darkweb", "intermediate"),
    "icmp-exfil": ("tunnelling-c2", "intermediate"),
    "evidence-handling": ("first-responder", "beginner"),
    # the guided beginner scenarios of the last three blocks without one
    "phishing-basics": ("phishing", "beginner"),
    "dns-tunnel-basics": ("tunnelling-c2", "beginner"),
    "phone-contacts": ("mobile", "beginner"),
    "crypto-tracing": ("crypto", "beginner"),
    "phishing-chain": ("phishing", "advanced"),
    "osint-metadata": ("osint", "beginner"),
}
LANGS = {"en", "uk", "ru"}
# the first two story scenarios, tagged with their blocks and now in Russian too
EARLIER = {"office-intrusion": ("port-scan", "intermediate"),
           "phone-beacon": ("tunnelling-c2", "advanced")}


def _texts(task: Any) -> list[object]:
    return [task.question, task.explanation, *(h.text for h in task.hints)]


@pytest.mark.parametrize("sid", sorted(BLOCKS) + sorted(EARLIER))
def test_tagged_with_its_block_and_level_in_three_languages(sid: str) -> None:
    loaded = load_scenario(ROOT / "scenarios" / f"{sid}.yaml")
    block, level = {**BLOCKS, **EARLIER}[sid]
    model = loaded.model
    assert block in model.tags and "generated" in model.tags
    assert model.difficulty == level
    assert 5 <= len(model.tasks) <= 10
    for text in [model.title, model.description]:
        assert isinstance(text, dict) and set(text) == LANGS, sid
    for task in model.tasks:
        assert task.hints and task.solution is not None, task.id
        for text in _texts(task):
            assert text is None or (isinstance(text, dict) and set(text) == LANGS), task.id
        assert task.answer["expected"].get("story"), task.id
    if sid in EARLIER:
        return
    # most tasks teach their method, and most keys are cross-checked by the analyzers
    assert sum(t.explanation is not None for t in model.tasks) >= len(model.tasks) - 2
    assert sum("check" in t.answer for t in model.tasks) >= 4


def _stated(sheet: Path) -> tuple[int, float]:
    text = sheet.read_text(encoding="utf-8")
    seed = re.search(r"variant seed (\d+)", text)
    percent = re.search(r"= ([\d.]+)%", text)
    assert seed and percent, f"{sheet} states no seed or expected total"
    return int(seed.group(1)), float(percent.group(1))


@pytest.mark.parametrize("sid", sorted(BLOCKS))
def test_wrong_sheet_earns_the_stated_credit(sid: str, cli: CliRunner) -> None:
    sheet = ANSWERS / f"{sid}.wrong.yaml"
    seed, percent = _stated(sheet)
    result = cli("grade", str(ROOT / "scenarios" / f"{sid}.yaml"), "--seed", str(seed),
                 "--answers", str(sheet), "--json")
    graded = json.loads(result.stdout)
    assert graded["total"]["percent"] == percent
    assert 0 < percent < 100


def _variant(cli: CliRunner, sid: str, seed: int, out: Path) -> dict[str, str]:
    assert cli("variant", str(ROOT / "scenarios" / f"{sid}.yaml"), "--seed", str(seed),
               "--out", str(out)).code == 0
    sheet: dict[str, str] = yaml.safe_load((out / "answers.yaml").read_text())
    return sheet


def test_wifi_deauth_aircrack_ng_finds_the_passphrase_the_key_names(cli: CliRunner,
                                                                    tmp_path: Path) -> None:
    aircrack = shutil.which("aircrack-ng")
    assert aircrack, "aircrack-ng is needed (tools/system-packages.txt; make system-deps)"
    sheet = _variant(cli, "wifi-deauth", 5, tmp_path)
    done = subprocess.run([aircrack, "-q", "-w", str(tmp_path / "wordlist.txt"), "-b",
                           sheet["bssid"], str(tmp_path / "office-air.pcap")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert f"KEY FOUND! [ {sheet['passphrase']} ]" in done.stdout
    # the explanation's tshark filter gives the ANonce the key names
    tshark = shutil.which("tshark")
    assert tshark, "tshark is needed (tools/system-packages.txt; make system-deps)"
    nonce = subprocess.run([tshark, "-r", str(tmp_path / "office-air.pcap"), "-Y",
                            "wlan_rsna_eapol.keydes.msgnr == 1", "-T", "fields", "-e",
                            "wlan_rsna_eapol.keydes.nonce"], capture_output=True, text=True,
                           check=True).stdout.split()
    assert nonce == [sheet["handshake"]]


def test_record_keys_are_cross_checked_part_by_part(cli: CliRunner) -> None:
    """A record task's check selects one field per part; verify judges the row as JSON."""
    result = cli("verify", str(ROOT / "scenarios" / "cleartext-logins.yaml"), "--variants",
                 "2", "--json")
    report = json.loads(result.stdout)["scenarios"][0]
    assert result.code == 0 and report["failed"] == 0
    assert all(v["cross_checked"] == 8 for v in report["variants"])  # five of them records


def test_a_record_check_with_one_field_is_reported_at_validate_time(cli: CliRunner,
                                                                    tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "cleartext-logins.yaml"
    (tmp_path / "stories").mkdir()
    shutil.copy(ROOT / "scenarios" / "stories" / "cleartext-logins.yaml", tmp_path / "stories")
    text = scenario.read_text(encoding="utf-8").replace(
        "where: {protocol: ftp}, select: {user: username, password: password}",
        "where: {protocol: ftp}, select: password", 1)
    (tmp_path / "cleartext-logins.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "labs", tmp_path.parent / "labs", dirs_exist_ok=True)
    result = cli("validate", str(tmp_path / "cleartext-logins.yaml"))
    assert result.code == 3
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("error:")]
    assert "check.select" in line and "one field per part" in line, line


def test_icmp_exfil_file_rebuilt_from_tshark_as_the_hint_says(cli: CliRunner,
                                                              tmp_path: Path) -> None:
    """No fact query covers the last task: rebuild the file as a trainee would."""
    import hashlib
    import struct

    tshark = shutil.which("tshark")
    assert tshark, "tshark is needed (tools/system-packages.txt; make system-deps)"
    sheet = _variant(cli, "icmp-exfil", 9, tmp_path)
    rows = subprocess.run([tshark, "-r", str(tmp_path / "design-office.pcap"), "-Y",
                           f"icmp.type == 8 && ip.dst == {sheet['tunnel-peer']}", "-T",
                           "fields", "-e", "data.data"], capture_output=True, text=True,
                          check=True).stdout.split()
    assert len(rows) == int(sheet["tunnel-requests"])
    chunks = []
    for row in rows:
        data = bytes.fromhex(row)
        assert data[:4] == b"TUN1"
        seq, length = struct.unpack("!IH", data[4:10])
        chunks.append((seq, data[10:10 + length]))
    rebuilt = b"".join(c for _, c in sorted(chunks))
    assert hashlib.sha256(rebuilt).hexdigest() == sheet["leaked-file"]


def test_handbook_shows_a_generated_scenario_as_one_seeds_variant(cli: CliRunner,
                                                                  tmp_path: Path) -> None:
    """The handbook's keys for a seed are those of 'dflab variant --seed' for that seed."""
    sheet = _variant(cli, "tor-office", 3, tmp_path / "v")
    made = cli("handbook", "tor-office", "--format", "md", "--lang", "ru", "--seed", "3")
    assert made.code == 0, made.stderr
    assert "вычисляется из варианта каждого слушателя (seed 3)" in made.stdout
    assert sheet["tor-host"] in made.stdout and sheet["host-mac"] in made.stdout
    assert "{{" not in made.stdout  # every placeholder filled in
