"""DNS over UDP and TCP: queries, responses, answers, rcodes, damaged messages."""

from __future__ import annotations

import struct

from evidence.conftest import Analyze
from runner.evidence import craft


def _udp(payload: bytes, *, sport: int = 5000, dport: int = 53, reply: bool = False) -> bytes:
    src, dst = ("10.0.0.53", "10.0.0.1") if reply else ("10.0.0.1", "10.0.0.53")
    return craft.ether(
        craft.ipv4(craft.udp(payload, sport=sport, dport=dport), src=src, dst=dst, proto=17)
    )


def test_query_and_response_are_matched(run: Analyze) -> None:
    frames = [
        _udp(craft.dns_query("evil.example", qid=7)),
        _udp(
            craft.dns_response("evil.example", ["203.0.113.7", "203.0.113.8"], qid=7),
            sport=53,
            dport=5000,
            reply=True,
        ),
    ]
    facts = run(frames, "dns")
    (query,) = facts.tables["dns.queries"]
    assert (query["frame"], query["name"], query["type"], query["protocol"]) == (
        1,
        "evil.example",
        "A",
        "dns",
    )
    (resp,) = facts.tables["dns.responses"]
    assert (resp["rcode"], resp["answers"], resp["query_frame"]) == (
        "NOERROR",
        "203.0.113.7,203.0.113.8",
        1,
    )
    assert [a["data"] for a in facts.tables["dns.answers"]] == ["203.0.113.7", "203.0.113.8"]


def test_nxdomain_and_mdns(run: Analyze) -> None:
    frames = [
        _udp(craft.dns_response("nope.example", [], rcode=3), sport=53, dport=5000, reply=True),
        _udp(craft.dns_query("printer.local"), sport=5353, dport=5353),
    ]
    facts = run(frames, "dns")
    assert facts.tables["dns.responses"][0]["rcode"] == "NXDOMAIN"
    assert facts.tables["dns.queries"][0]["protocol"] == "mdns"


def test_dns_over_tcp_length_prefixed(run: Analyze) -> None:
    query = craft.dns_query("zone.example", qtype=252)
    answer = craft.dns_response("zone.example", ["192.0.2.1"])
    frames = craft.tcp_session(
        [
            (True, struct.pack("!H", len(query)) + query),
            (False, struct.pack("!H", len(answer)) + answer),
        ],
        sport=53,
    )
    facts = run(frames, "dns")
    assert facts.tables["dns.queries"][0]["type"] == "AXFR"
    assert facts.tables["dns.responses"][0]["transport"] == "tcp"


def test_damaged_messages_warn_and_the_pass_goes_on(run: Analyze) -> None:
    loop = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c"  # pointer to itself
    frames = [_udp(b"\x00\x01"), _udp(loop), _udp(craft.dns_query("ok.example"))]
    facts = run(frames, "dns")
    assert [q["name"] for q in facts.tables["dns.queries"]] == ["ok.example"]
    assert facts.warning_count == 2
    assert "frame 2: dns:" in facts.warnings[1]
