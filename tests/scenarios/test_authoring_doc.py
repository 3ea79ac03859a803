"""The alternative fact queries scenarios/AUTHORING.md quotes find the values it states."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from runner.evidence.query import resolve_query

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "scenarios" / "AUTHORING.md").read_text(encoding="utf-8")

CASES = [
    ("cs_synscan.pcapng",
     "{from: packets.tcp, where: {src: 172.16.0.8}, select: time, pick: first}",
     ("2010-07-04T20:24:16.274870000Z",)),
    ("cs_synscan.pcapng",
     "{from: packets.tcp, where: {src: 172.16.0.8, flags: {ne: SYN}}, pick: count}", (0,)),
    ("cs_synscan.pcapng", "{from: scans.scans, select: kind}", ("syn",)),
    ("cs_arppoison.pcapng", "{from: arp.multi_ip_macs, select: mac}", ("00:25:b3:bf:91:ee",)),
    ("cs_arppoison.pcapng", '{from: arp.packets, where: {sender_mac: "00:25:b3:bf:91:ee", '
     "sender_ip: {ne: 172.16.0.1}}, select: sender_ip, pick: first}", ("172.16.0.105",)),
    ("cs_arppoison.pcapng", "{from: dns.queries, where: {frame: {gt: 56}}, select: name, "
     "pick: first}", ("www.ukathletics.com",)),
    ("cs_arppoison.pcapng", "{from: http.requests, where: {uri: '~^/search\\?'}, select: uri, "
     "extract: '[?&]q=(?P<value>[^&]*)', pick: first}", ("UK+basketball",)),
]


@pytest.mark.parametrize(("capture", "query", "values"), CASES, ids=lambda v: str(v)[:40])
def test_quoted_query_finds_the_stated_value(capture: str, query: str, values: tuple,
                                             tmp_path: Path) -> None:
    assert f"`{query}`" in DOC
    resolved = resolve_query(yaml.safe_load(query), ROOT / "pcaps" / capture,
                             cache_dir=tmp_path)
    assert resolved.values == values
