"""Hostile input: random bytes and mutated captures raise only dflab's errors, never crash.

Mutations go through the whole pass (every analyzer), so a lying length in any
protocol, not only in the file format, is exercised.
"""

from __future__ import annotations

import struct
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.errors import DflabError
from runner.evidence import craft
from runner.evidence.engine import analyze
from runner.evidence.reader import iter_packets

PCAPS = Path(__file__).resolve().parents[2] / "pcaps"
SEEDS = [
    (PCAPS / name).read_bytes()
    for name in (
        "cs_http_dvwa_clearlogin.pcapng",
        "zeek_smtp.pcap",
        "cs_dns_axfr.pcapng",
        "cs_dhcp_nolease_initialization.pcapng",
    )
]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _survives(path: Path) -> None:
    try:
        facts = analyze(path)
    except DflabError:
        return
    assert facts.packets == sum(1 for _ in iter_packets(path))


@SETTINGS
@given(blob=st.binary(max_size=2000))
def test_random_bytes(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "random.bin"
    path.write_bytes(blob)
    _survives(path)


@SETTINGS
@given(
    seed=st.integers(0, len(SEEDS) - 1),
    flips=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=40
    ),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_mutated_real_captures(
    tmp_path: Path, seed: bytes, flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(SEEDS[seed])
    for where, value in flips:
        data[where % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path / "mutated.pcap"
    path.write_bytes(bytes(data))
    _survives(path)


@SETTINGS
@given(
    payload=st.binary(max_size=600),
    port=st.sampled_from([21, 23, 25, 53, 67, 80, 110, 143, 443, 5353]),
)
def test_random_payloads_on_every_analyzed_port(tmp_path: Path, payload: bytes, port: int) -> None:
    frames = craft.tcp_session([(True, payload), (False, payload[::-1])], sport=port)
    frames.append(craft.ether(craft.ipv4(craft.udp(payload, sport=port, dport=port), proto=17)))
    frames.append(craft.ether(craft.ipv6(payload, nxt=0), etype=0x86DD))
    frames.append(craft.ether(payload[:60], etype=0x0806))
    frames.append(struct.pack("<BBHI", 0, 0, 8, 0) + payload)
    path = tmp_path / "payloads.pcap"
    path.write_bytes(craft.write_pcap([(i, f) for i, f in enumerate(frames)]))
    facts = analyze(path)
    assert facts.packets == len(frames)
