"""The ``tor`` kind and analyzer: Tor's state file and a torrc, recognised by content and
read into guards, bridges and options; text that is not Tor's is left alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.errors import EvidenceError
from runner.evidence.kinds.dispatch import analyze_evidence, kind_of

FP = "6E485A61FB0F7BC436177998A545EBDE4A46E01B"
STATE = f"""\
# Tor state file last generated on 2026-02-11 22:50:39 local time
# Other times below are in UTC
# You *do not* need to edit this file.

CircuitBuildTimeBin 225 9
Guard in=default rsa_id=056E596E3BD7D1371B648D58E1D83148A6980459 nickname=torpidsDEhetzner \
sampled_on=2025-11-03T09:12:44 sampled_by=0.4.8.9 listed=1 confirmed_on=2025-11-04T00:00:00 \
confirmed_idx=0 pb_use_attempts=14.000000
Guard in=bridges rsa_id={FP.lower()} bridge_addr=51.69.204.96:37215 nickname=rinnegan \
sampled_on=2026-01-28T19:17:31 sampled_by=0.4.8.13 listed=1 confirmed_on=2026-01-28T19:17:31 \
confirmed_idx=0
Guard in=bridges rsa_id=E2ECA6AA5728CBE143EAA57FC6548A472D0E9C05 bridge_addr=[2001:db8::7]:443 \
sampled_on=2026-01-28T19:17:31 sampled_by=0.4.8.13 listed=0
Guard in=bridges rsa_id=4D25599C67CD51629A6A4CBBD7B97A44E03897E7 bridge_addr=nowhere \
sampled_on=2026-01-28T19:17:31 listed=1 confirmed_idx=²
LastWritten 2026-02-11 22:50:39
TorVersion Tor 0.4.8.13 (git-4b3bb1e5a6d2ec69)
"""
TORRC = f"""\
UseBridges 1
Bridge 51.69.204.96:37215 {FP}
Bridge obfs4 192.0.2.9:8443 4D25599C67CD51629A6A4CBBD7B97A44E03897E7 cert=abc iat-mode=0
Bridge snowflake 192.0.2.3:80
ClientTransportPlugin obfs4 exec ./lyrebird
"""


def facts(path: Path, text: str) -> dict[str, list[dict[str, Any]]]:
    path.write_text(text, encoding="utf-8")
    assert kind_of(path).name == "tor"
    report = analyze_evidence(path)
    return {name: [dict(zip(table.fields, row, strict=True)) for row in table.rows]
            for name, table in report.tables.items()}


def test_state_guards_with_bridge_addresses_and_the_confirmed_one(tmp_path: Path) -> None:
    tables = facts(tmp_path / "state", STATE)
    guards = tables["tor.guards"]
    assert [g["selection"] for g in guards] == ["default", "bridges", "bridges", "bridges"]
    default, used, v6, broken = guards
    assert (default["bridge_ip"], default["bridge_port"], default["confirmed_idx"]) == ("", -1, 0)
    assert used == {"selection": "bridges", "rsa_id": FP, "nickname": "rinnegan",
                    "bridge_ip": "51.69.204.96", "bridge_port": 37215,
                    "sampled_on": "2026-01-28T19:17:31Z", "sampled_by": "0.4.8.13",
                    "listed": True, "confirmed_on": "2026-01-28T19:17:31Z", "confirmed_idx": 0}
    assert (v6["bridge_ip"], v6["bridge_port"], v6["listed"], v6["confirmed_idx"]) == (
        "2001:db8::7", 443, False, -1)
    assert broken["bridge_ip"] == "" and broken["nickname"] == ""
    assert broken["confirmed_idx"] == -1  # a superscript digit is no index
    options = {o["key"]: o["value"] for o in tables["tor.options"]}
    assert options["LastWritten"] == "2026-02-11 22:50:39"
    assert options["TorVersion"].startswith("Tor 0.4.8.13")


def test_a_damaged_bridge_addr_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "state"
    path.write_text(STATE, encoding="utf-8")
    report = analyze_evidence(path)
    assert any("bridge_addr 'nowhere'" in w for w in report.warnings)


def test_torrc_bridges_vanilla_and_with_a_transport(tmp_path: Path) -> None:
    bridges = facts(tmp_path / "torrc", TORRC)["tor.bridges"]
    assert bridges == [
        {"transport": "", "ip": "51.69.204.96", "port": 37215, "fingerprint": FP},
        {"transport": "obfs4", "ip": "192.0.2.9", "port": 8443,
         "fingerprint": "4D25599C67CD51629A6A4CBBD7B97A44E03897E7"},
        {"transport": "snowflake", "ip": "192.0.2.3", "port": 80, "fingerprint": ""}]


@pytest.mark.parametrize("text", ["user_pref(\"browser.privatebrowsing.autostart\", false);\n",
                                  "Bridge over troubled water\n", "UseBridges 1\n"])
def test_text_that_is_not_a_tor_file_is_not_claimed(tmp_path: Path, text: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvidenceError):
        kind_of(path)


def test_dflab_facts_cli_reads_a_generated_state_file(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "state"
    path.write_text(STATE, encoding="utf-8")
    result = cli("facts", str(path), "--only", "tor", "--json")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)["tables"]["tor.guards"]
    assert [r["bridge_ip"] for r in rows if r["confirmed_idx"] == 0 and r["bridge_ip"]] == [
        "51.69.204.96"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"],
                                               blacklist_characters="\0"), max_size=60),
                max_size=8))
def test_any_lines_after_the_state_comment_are_read_without_a_crash(
        tmp_path: Path, lines: list[str]) -> None:
    prefixed = ["Guard " + line if i % 2 else "Bridge " + line for i, line in enumerate(lines)]
    tables = facts(tmp_path / "state", "# Tor state file\n" + "\n".join(prefixed) + "\n")
    assert all(isinstance(g["bridge_port"], int) for g in tables["tor.guards"])
