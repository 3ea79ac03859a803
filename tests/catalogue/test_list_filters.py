"""dflab list: filters by block, level, language, evidence kind and course; --json fields."""

from __future__ import annotations

import json

from runner.scenario.blocks import BLOCKS, evidence_kind


def _ids(cli, *args):
    result = cli("list", "--json", *args)
    assert result.code == 0, result.stderr
    return [s["id"] for s in json.loads(result.stdout)["scenarios"]]


def test_json_gives_blocks_level_languages_and_evidence_kinds(cli):
    rows = json.loads(cli("list", "--json").stdout)["scenarios"]
    assert rows and all(r["blocks"] and set(r["blocks"]) <= set(BLOCKS) for r in rows)
    for r in rows:
        assert r["level"] in ("beginner", "intermediate", "advanced")
        assert r["languages"] == ["en", "ru", "uk"]
        assert r["evidence_kinds"] == ["pcap"] and r["minutes"] > 0


def test_filters(cli):
    assert _ids(cli, "--block", "mitm") == ["arp-poisoning", "linked-incidents"]
    assert _ids(cli, "--level", "intermediate") == ["arp-poisoning", "cleartext-credentials",
                                                    "linked-incidents"]
    assert "traceroute-path" in _ids(cli, "--language", "uk")
    assert len(_ids(cli, "--language", "ru")) == len(_ids(cli))
    assert _ids(cli, "--language", "kk") == []
    assert _ids(cli, "--kind", "e01") == [] and len(_ids(cli, "--kind", "pcap")) >= 4
    assert _ids(cli, "--course", "first-responder") == ["ftp-credentials"]
    assert cli("list", "--block", "nosuch").code == 2


def test_evidence_kind_by_content_not_name():
    assert evidence_kind(b"\x0a\x0d\x0d\x0a\x00", "x.bin") == "pcap"
    assert evidence_kind(b"EVF\x09\x0d\x0a\xff\x00", "disk.img") == "e01"
    assert evidence_kind(b"SQLite format 3\x00", "mmssms.db") == "sqlite"
    assert evidence_kind(b"hello", "notes.txt") == "file"
