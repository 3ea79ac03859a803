"""dpkt as the oracle of the hand-written HTTP framing (kept: see docs/facts.md), and of
the DNS and TLS decoding built on dpkt, on generated messages and on real captures."""

from __future__ import annotations

from pathlib import Path

import dpkt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.dns import DNS, DNSQR, DNSRR, DNSRRMX

from runner.evidence.analyzers import http as http_analyzer
from runner.evidence.engine import analyze
from runner.evidence.proto.dnswire import parse as parse_dns
from runner.evidence.proto.httpwire import Message, parse_requests, parse_responses
from runner.evidence.streams import Stream

PCAPS = Path(__file__).resolve().parents[2] / "pcaps"
_TOKEN = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)
_VALUE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30)
_METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PROPFIND", "CCM_POST", "REPORT"])
_PATH = st.from_regex(r"/[A-Za-z0-9_./?=&%-]{0,40}", fullmatch=True)


def _headers(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(_TOKEN, max_size=6, unique=True))
    reserved = {"content-length", "transfer-encoding", "content-encoding"}
    return {n: draw(_VALUE) for n in names if n not in reserved}


@st.composite
def _messages(draw: st.DrawFn, *, request: bool) -> bytes:
    first = (
        f"{draw(_METHODS)} {draw(_PATH)} HTTP/1.1"
        if request
        else f"HTTP/1.1 {draw(st.sampled_from([200, 201, 404, 500]))} Whatever"
    )
    headers = _headers(draw)
    body = draw(st.binary(max_size=300))
    chunked = draw(st.booleans()) and bool(body)
    if chunked:
        headers["transfer-encoding"] = "chunked"
        cut = draw(st.integers(1, len(body)))
        parts = [body[:cut], body[cut:]]
        wire = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p) + b"0\r\n\r\n"
    else:
        headers["content-length"] = str(len(body))
        wire = body
    head = first + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + wire


def _same(ours: Message, theirs: dpkt.http.Message) -> None:
    for name, value in theirs.headers.items():
        expected = value[0] if isinstance(value, list) else value
        assert ours.headers[name] == expected
    assert ours.body == theirs.body


@settings(max_examples=150, deadline=None)
@given(st.lists(_messages(request=True), min_size=1, max_size=3))
def test_requests_match_dpkt(wire: list[bytes]) -> None:
    ours = parse_requests(b"".join(wire))
    assert len(ours) == len(wire)
    for msg, raw in zip(ours, wire, strict=True):
        theirs = dpkt.http.Request(raw)
        assert (msg.first_line[0], msg.first_line[1]) == (theirs.method, theirs.uri)
        assert msg.end - msg.start == len(raw)
        _same(msg, theirs)


@settings(max_examples=150, deadline=None)
@given(st.lists(_messages(request=False), min_size=1, max_size=3))
def test_responses_match_dpkt(wire: list[bytes]) -> None:
    ours = parse_responses(b"".join(wire), ["GET"] * len(wire))
    assert len(ours) == len(wire)
    for msg, raw in zip(ours, wire, strict=True):
        theirs = dpkt.http.Response(raw)
        assert (msg.first_line[1], msg.first_line[2]) == (theirs.status, theirs.reason)
        _same(msg, theirs)


@pytest.mark.parametrize(
    "capture",
    ["cs_http_dvwa_clearlogin.pcapng", "cs_aurora.pcapng", "zeek_http_vlan.pcap",
     "cs_arppoison.pcapng", "cs_http_ip4and6.pcapng"],
)  # fmt: skip
def test_real_http_messages_match_dpkt(capture: str, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[int] = []
    real = http_analyzer.exchanges

    def compare(stream: Stream) -> list[http_analyzer.Exchange]:
        pairs = real(stream)
        for req, resp in pairs:
            if req is not None:
                raw = stream.client.data[req.start : req.end]
                theirs = dpkt.http.Request(raw)
                assert (req.first_line[0], req.first_line[1]) == (theirs.method, theirs.uri)
                _same(req, theirs)
                checked.append(1)
            if resp is not None and resp.complete and "content-encoding" not in resp.headers:
                raw = stream.server.data[resp.start : resp.end]
                _same(resp, dpkt.http.Response(raw))
                checked.append(1)
        return pairs

    monkeypatch.setattr(http_analyzer, "exchanges", compare)
    analyze(PCAPS / capture, ["http"], pipeline=False)
    assert checked


_NAME = st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?", fullmatch=True),
                 min_size=1, max_size=4).map(".".join)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    _NAME,
    st.lists(st.tuples(st.sampled_from(["A", "CNAME", "TXT", "MX"]), _NAME), max_size=5),
    st.integers(0, 0xFFFF),
)
def test_dns_matches_an_independent_encoder(
    qname: str, answers: list[tuple[str, str]], ident: int
) -> None:
    """scapy writes the message (with name compression); dflab reads it back."""
    records = []
    for rtype, data in answers:
        rdata: object = {"A": "192.0.2.7", "CNAME": data + ".", "TXT": [data.encode()]}.get(rtype)
        if rtype == "MX":
            records.append(DNSRRMX(rrname=qname + ".", ttl=60, preference=10, exchange=data + "."))
            continue
        records.append(DNSRR(rrname=qname + ".", type=rtype, ttl=60, rdata=rdata))
    message = DNS(id=ident, qr=1, qd=DNSQR(qname=qname + "."))
    if records:
        message.an = records
    wire = bytes(message)
    msg = parse_dns(wire)
    assert (msg.id, msg.response, msg.questions) == (ident, True, [(qname, "A")])
    assert [(r.name, r.type) for r in msg.answers] == [(qname, t) for t, _ in answers]
    for record, (rtype, data) in zip(msg.answers, answers, strict=True):
        expected = {"A": "192.0.2.7", "CNAME": data, "TXT": data, "MX": data}[rtype]
        assert record.data == expected
