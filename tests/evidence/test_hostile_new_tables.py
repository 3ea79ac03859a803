"""Hostile input for the new analyzers, the on-demand ones included (a plain pass leaves
them out): random payloads on their ports and mutated captures never crash them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.errors import DflabError
from runner.evidence import craft
from runner.evidence.analyzers.registry import all_analyzers
from runner.evidence.engine import analyze
from runner.evidence.reader import iter_packets

PCAPS = Path(__file__).resolve().parents[2] / "pcaps"
NEW = ["ftp", "smtp", "ssh", "dhcp", "packets", "fingerprints", "vlan", "streams"]
SEEDS = [(PCAPS / n).read_bytes() for n in ("cs_ftp_tickedoffdeveloper.pcapng",
                                            "zeek_smtp.pcap", "zeek_icmp_dot1q.pcap")]
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_on_demand_analyzers_are_registered_and_left_out_of_a_plain_pass() -> None:
    on_demand = {n for n, c in all_analyzers().items() if c.on_demand}
    assert on_demand == {"packets", "fingerprints", "vlan", "streams"}
    plain = analyze(PCAPS / "cs_synscan.pcapng")
    assert not any(t.split(".")[0] in on_demand for t in plain.tables)


@SETTINGS
@given(payload=st.binary(max_size=800), port=st.sampled_from([21, 22, 25, 587, 2525, 8080]))
def test_random_payloads_on_their_ports(tmp_path: Path, payload: bytes, port: int) -> None:
    lines = payload.replace(b"\x00", b"\r\n")  # more lines, more parser branches
    frames = craft.tcp_session([(False, lines[:200]), (True, lines), (False, payload[::-1]),
                                (True, b"DATA\r\n" + lines + b"\r\n.\r\n")], sport=port)
    frames.append(craft.ether(craft.ipv4(craft.udp(payload, sport=68, dport=67), proto=17)))
    frames.append(craft.ether(payload[:64], etype=0x8100))
    path = tmp_path / "payloads.pcap"
    path.write_bytes(craft.write_pcap([(i, f) for i, f in enumerate(frames)]))
    facts = analyze(path, NEW)
    assert facts.packets == len(frames)


@SETTINGS
@given(seed=st.integers(0, len(SEEDS) - 1),
       flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)),
                      min_size=1, max_size=40))
def test_mutated_captures(tmp_path: Path, seed: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(SEEDS[seed])
    for where, value in flips:
        data[where % len(data)] = value
    path = tmp_path / "mutated.pcap"
    path.write_bytes(bytes(data))
    try:
        facts = analyze(path, NEW)
    except DflabError:
        return  # the file itself is unreadable: one clear error, no crash
    assert facts.packets == sum(1 for _ in iter_packets(path))
