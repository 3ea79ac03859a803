"""dflab list: filters by block, level, language, evidence kind and course; --json fields."""

from __future__ import annotations

import json

from helpers import ROOT

from runner.scenario.blocks import BLOCKS, evidence_kind

# generated evidence is catalogued by the kind its generator writes
STORY_KINDS = {"usb-stick": ["disk"], "phishing-mail": ["mailbox"], "phishing-basics": ["mailbox"],
               "phone-chat": ["tar"], "phone-contacts": ["tar"],
               "wifi-deauth": ["capture", "file"],  # its wordlist is a plain file
               # an E01, a log and a form (plain files), raw working copies
               "evidence-handling": ["ewf", "file", "disk"],
               "crypto-tracing": ["ledger", "disk", "file"],  # the exchange's letter: a file
               "phishing-chain": ["mailbox", "capture", "disk"],
               "osint-metadata": ["document", "picture", "webarchive"],
               "tor-browser": ["capture", "sqlite", "file"]}  # places.sqlite, Tor's text files


def _ids(cli, *args):
    result = cli("list", "--json", *args)
    assert result.code == 0, result.stderr
    return [s["id"] for s in json.loads(result.stdout)["scenarios"]]


def test_json_gives_blocks_level_languages_and_evidence_kinds(cli):
    rows = json.loads(cli("list", "--json").stdout)["scenarios"]
    assert rows and all(r["blocks"] and set(r["blocks"]) <= set(BLOCKS) for r in rows)
    for r in rows:
        assert r["level"] in ("beginner", "intermediate", "advanced")
        assert r["languages"] == ["en", "ru", "uk"]  # issue 13: every shipped text in all three
        assert r["evidence_kinds"] and r["minutes"] > 0
        assert r["evidence_kinds"] == STORY_KINDS.get(r["id"], ["capture"])


def test_filters(cli):
    assert _ids(cli, "--block", "mitm") == ["arp-poisoning", "lan-mitm", "linked-incidents"]
    assert _ids(cli, "--level", "intermediate") == [
        "arp-poisoning", "cleartext-credentials", "cleartext-logins", "dmz-recon", "icmp-exfil",
        "linked-incidents", "office-intrusion", "phishing-mail", "phone-chat", "tor-browser"]
    assert "traceroute-path" in _ids(cli, "--language", "uk")
    assert _ids(cli, "--language", "ru") == _ids(cli)
    assert _ids(cli, "--kind", "disk") == ["crypto-tracing", "evidence-handling",
                                           "phishing-chain", "usb-stick"]
    assert _ids(cli, "--kind", "ledger") == ["crypto-tracing"]
    assert _ids(cli, "--kind", "mailbox") == ["phishing-basics", "phishing-chain",
                                              "phishing-mail"]
    assert _ids(cli, "--kind", "tar") == ["phone-chat", "phone-contacts"]
    assert _ids(cli, "--kind", "sqlite") == ["tor-browser"]
    assert _ids(cli, "--language", "kk") == []
    assert _ids(cli, "--kind", "ewf") == ["evidence-handling"]
    assert _ids(cli, "--kind", "e01") == [] and len(_ids(cli, "--kind", "capture")) >= 4
    assert _ids(cli, "--course", "first-responder") == [
        "crypto-tracing", "evidence-handling", "ftp-credentials", "osint-metadata", "phone-chat",
        "phone-contacts", "usb-stick"]
    assert cli("list", "--block", "nosuch").code == 2


def test_evidence_kind_by_content_not_name(tmp_path):
    # The catalogue asks the evidence-kind registry: content decides, never the name.
    pcapng = tmp_path / "x.bin"
    pcapng.write_bytes((ROOT / "pcaps" / "cs_synscan.pcapng").read_bytes())
    disguised = tmp_path / "capture.pcapng"
    disguised.write_bytes(b"hello, not a capture\n")
    assert evidence_kind(pcapng) == "capture"
    assert evidence_kind(disguised) == "file"
