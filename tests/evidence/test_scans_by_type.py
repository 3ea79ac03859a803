"""FIN, NULL, Xmas and UDP port scans and ARP sweeps are found, each with its type.

Crafted with scapy (nmap -sF/-sN/-sX/-sU and an ARP sweep); the probes dflab counts are
the ones tshark's display filters select in the same file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPerror, UDPerror
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Packet, Raw

from runner.evidence.analyzers.scans import MIN_HOSTS, MIN_PORTS
from runner.evidence.engine import analyze
from tests.evidence.tshark import tshark_fields, write

SCANNER, TARGET = "10.1.1.5", "10.1.1.80"
PORTS = list(range(20, 20 + MIN_PORTS + 2))
CLOSED = PORTS[:4]


def _probes(flags: str) -> list[Packet]:
    out: list[Packet] = []
    for port in PORTS:
        out.append(
            Ether() / IP(src=SCANNER, dst=TARGET) / TCP(sport=61000, dport=port, flags=flags)
        )
        if port in CLOSED:
            out.append(
                Ether() / IP(src=TARGET, dst=SCANNER) / TCP(sport=port, dport=61000, flags="RA")
            )
    return out


@pytest.mark.parametrize(
    ("flags", "kind", "tshark_filter"),
    [
        ("F", "fin", "tcp.flags == 0x001"),
        ("", "null", "tcp.flags == 0x000"),
        ("FPU", "xmas", "tcp.flags == 0x029"),
    ],
)
def test_stealth_scans(tmp_path: Path, flags: str, kind: str, tshark_filter: str) -> None:
    path = write(tmp_path / f"{kind}.pcap", _probes(flags))
    facts = analyze(path, ["scans"])
    (scan,) = facts.tables["scans.scans"]
    probed = {int(r[0]) for r in tshark_fields(path, tshark_filter, "tcp.dstport")}
    resets = {int(r[0]) for r in tshark_fields(path, "tcp.flags.reset == 1", "tcp.srcport")}
    assert (scan["scanner"], scan["target"], scan["kind"]) == (SCANNER, TARGET, kind)
    assert scan["ports_probed"] == len(probed) == len(PORTS)
    assert scan["closed_count"] == len(resets) == len(CLOSED)
    assert scan["open_ports"] == ""  # silence means open or filtered: nothing proven open


def test_few_fin_probes_are_not_a_scan(tmp_path: Path) -> None:
    frames = [
        Ether() / IP(src=SCANNER, dst=TARGET) / TCP(sport=61000, dport=p, flags="F")
        for p in PORTS[: MIN_PORTS - 1]
    ]
    assert analyze(write(tmp_path / "few.pcap", frames), ["scans"]).tables["scans.scans"] == []


def test_udp_scan(tmp_path: Path) -> None:
    frames: list[Packet] = []
    for port in PORTS:
        probe = IP(src=SCANNER, dst=TARGET) / UDP(sport=45000, dport=port) / Raw(b"")
        frames.append(Ether() / probe)
        if port in CLOSED:
            quoted = IPerror(src=SCANNER, dst=TARGET) / UDPerror(sport=45000, dport=port)
            reply = IP(src=TARGET, dst=SCANNER) / ICMP(type=3, code=3) / quoted
            frames.append(Ether() / reply)
        elif port == 25:
            reply = IP(src=TARGET, dst=SCANNER) / UDP(sport=25, dport=45000) / Raw(b"\0" * 12)
            frames.append(Ether() / reply)
    path = write(tmp_path / "udp.pcap", frames)
    (scan,) = analyze(path, ["scans"]).tables["scans.scans"]
    unreachable = tshark_fields(path, "icmp.type == 3 && icmp.code == 3", "udp.dstport")
    probed = {r[0] for r in tshark_fields(path, f"udp && ip.src == {SCANNER}", "udp.dstport")}
    assert (scan["kind"], scan["ports_probed"]) == ("udp", len(probed))
    assert scan["closed_count"] == len(unreachable) == len(CLOSED)
    assert scan["open_ports"] == "25"


def test_arp_sweep(tmp_path: Path) -> None:
    me, mac = "192.168.7.10", "02:00:00:00:00:0a"
    frames: list[Packet] = []
    for host in range(1, MIN_HOSTS + 6):
        ask = ARP(op=1, hwsrc=mac, psrc=me, pdst=f"192.168.7.{100 + host}")
        frames.append(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ask)
        if host % 5 == 0:
            answer = ARP(op=2, hwsrc="02:00:00:00:01:00", psrc=f"192.168.7.{100 + host}",
                         hwdst=mac, pdst=me)  # fmt: skip
            frames.append(Ether(dst=mac) / answer)
    path = write(tmp_path / "sweep.pcap", frames)
    (scan,) = analyze(path, ["scans"]).tables["scans.scans"]
    asked = tshark_fields(
        path, f"arp.opcode == 1 && arp.src.proto_ipv4 == {me}", "arp.dst.proto_ipv4"
    )
    replies = tshark_fields(path, f"arp.opcode == 2 && arp.dst.proto_ipv4 == {me}", "frame.number")
    assert (scan["kind"], scan["scanner"]) == ("arp", me)
    assert scan["ports_probed"] == len(asked) == MIN_HOSTS + 5
    assert scan["target"] == f"{asked[0][0]}-{asked[-1][0]}"
    assert scan["open_count"] == len(replies) == 3


def test_a_few_arp_requests_are_not_a_sweep(tmp_path: Path) -> None:
    frames = [
        Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, psrc="192.168.7.10", pdst=f"192.168.7.{h}")
        for h in range(1, MIN_HOSTS)
    ]
    assert analyze(write(tmp_path / "few.pcap", frames), ["scans"]).tables["scans.scans"] == []
