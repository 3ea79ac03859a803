"""``scans``: port scans (many ports probed on one target) and ARP sweeps, each with its type.

A port scan is one source sending probes to at least ``MIN_PORTS`` different ports of
one target; its ``kind`` is the probe:

* ``syn`` / ``connect``: connection attempts (SYN without ACK). A port is open when the
  target answered SYN/ACK. A scanner that never acknowledges that SYN/ACK ran a
  half-open scan (nmap -sS); one that completes the handshake a connect scan (-sT).
* ``fin``, ``null``, ``xmas``: segments without SYN or ACK carrying only FIN, no flag at
  all, or FIN+PSH+URG (nmap -sF, -sN, -sX). Closed ports answer RST; open (or filtered)
  ones stay silent, so ``open_ports`` stays empty.
* ``udp``: at most ``UDP_PROBE_PACKETS`` datagrams to each of ``MIN_PORTS`` ports
  (nmap -sU). Open ports answered with UDP, closed ones with ICMP port unreachable.
  Ports 33434-33534 (UDP traceroute's probes) do not count.

An ARP sweep (``kind`` ``arp``) is one sender asking ARP for at least ``MIN_HOSTS``
different addresses; ``target`` is the lowest and highest address asked for.
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.decode import (
    ET_ARP,
    PROTO_ICMP,
    PROTO_ICMP6,
    PROTO_TCP,
    PROTO_UDP,
    TCP_ACK,
    TCP_FIN,
    TCP_RST,
    TCP_SYN,
    Pkt,
)
from runner.evidence.flows import Flow

MIN_PORTS = 10  # distinct ports of one target: a port scan
MIN_HOSTS = 10  # distinct addresses asked for by one ARP sender: a sweep
UDP_PROBE_PACKETS = 3  # a UDP conversation with more datagrams from the client is no probe
_PSH, _URG = 0x08, 0x20
_TRACEROUTE = range(33434, 33535)  # UDP traceroute's probes: a path, not a port scan
_STEALTH = {0: "null", TCP_FIN: "fin", TCP_FIN | _PSH | _URG: "xmas"}


_NO_FLOWS: list[Flow] = []  # shared, never appended to


class _Probe:
    """One (scanner, target) pair; most pairs are one connection, so the answer
    containers are made only when a target answers."""

    __slots__ = (
        "closed",
        "first_frame",
        "first_ts",
        "flows",
        "last_frame",
        "last_ts",
        "open",
        "ports",
    )

    def __init__(self, frame: int, ts: int) -> None:
        self.first_frame = self.last_frame = frame
        self.first_ts = self.last_ts = ts
        self.ports: set[int] = set()
        self.open: dict[int, int] | None = None  # port -> SYN/ACK frame
        self.closed: set[int] | None = None
        self.flows = _NO_FLOWS  # conversations of the open ports (a new list once one opens)


@register
class Scans(Analyzer):
    """Watches TCP packets with SYN or RST set, ARP, ICMP port unreachable, and the
    finished flow table (no per-packet cost for the rest of the traffic)."""

    name = "scans"
    description = "port scans (SYN, connect, FIN, NULL, Xmas, UDP) and ARP sweeps, by type"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "scans": (
            Field("scanner", "str", "address sending the probes"),
            Field("target", "str", "address probed (arp: lowest-highest address asked for)"),
            Field("ports_probed", "int", "distinct destination ports probed (arp: addresses)"),
            Field(
                "open_ports",
                "str",
                "ports that answered SYN/ACK (udp: with UDP), ascending, comma separated",
            ),
            Field("open_count", "int", "number of open ports (arp: addresses that answered)"),
            Field("closed_count", "int", "ports that answered RST (udp: ICMP port unreachable)"),
            Field("kind", "str", "syn, connect, fin, null, xmas, udp or arp (see the module)"),
            Field("first_frame", "int", "first probe"),
            Field("last_frame", "int", "last probe"),
            Field("first_time", "str", "UTC time of the first probe"),
            Field("last_time", "str", "UTC time of the last probe"),
        ),
        "open_ports": (
            Field("scanner", "str", "address sending the probes"),
            Field("target", "str", "address probed"),
            Field("port", "int", "open port"),
            Field("frame", "int", "frame of the target's SYN/ACK"),
        ),
    }
    tcp_control = True
    wants_flows = True  # FIN/NULL/Xmas and UDP probes are read off the finished flows
    ether_types = frozenset({ET_ARP})
    ip_protos = frozenset({PROTO_ICMP, PROTO_ICMP6})  # port unreachable: a closed UDP port

    def setup(self) -> None:
        self.probes: dict[tuple[bytes, bytes], _Probe] = {}
        self.others: dict[tuple[bytes, bytes, str], _Probe] = {}  # fin/null/xmas/udp probes
        self.unreachable: set[tuple[bytes, bytes, int]] = set()  # (scanner, target, port)
        self.arp: dict[bytes, _Probe] = {}  # ARP sender address -> addresses asked for
        self.arp_answers: dict[bytes, set[bytes]] = {}  # address -> who it answered

    def on_tcp_control(self, p: Pkt, flow: Flow) -> None:
        flags = p.flags & (TCP_SYN | TCP_ACK | TCP_RST)
        if flags == TCP_SYN:
            probe = self.probes.get((p.src, p.dst))
            if probe is None:
                probe = self.probes[(p.src, p.dst)] = _Probe(p.frame, p.ts)
            probe.ports.add(p.dport)
            probe.last_frame, probe.last_ts = p.frame, p.ts
            return
        answer = self.probes.get((p.dst, p.src))  # the target answering the scanner
        if answer is not None and p.sport in answer.ports:
            if flags == TCP_SYN | TCP_ACK:
                if answer.open is None:
                    answer.open, answer.flows = {}, []
                if p.sport not in answer.open:
                    answer.open[p.sport] = p.frame
                    answer.flows.append(flow)
            elif flags & TCP_RST:
                if answer.closed is None:
                    answer.closed = set()
                answer.closed.add(p.sport)

    def on_frame(self, p: Pkt) -> None:
        """ARP: requests for many addresses from one sender make a sweep."""
        data, off = p.data, p.l3
        if len(data) < off + 28 or data[off + 4 : off + 6] != b"\x06\x04":
            return  # not Ethernet/IPv4 ARP
        op, spa, tpa = data[off + 7], data[off + 14 : off + 18], data[off + 24 : off + 28]
        if op == 1 and spa != tpa:  # a request, not a gratuitous announcement
            probe = self.arp.get(spa)
            if probe is None:
                probe = self.arp[spa] = _Probe(p.frame, p.ts)
            probe.ports.add(int.from_bytes(tpa, "big"))
            probe.last_frame, probe.last_ts = p.frame, p.ts
        elif op == 2:
            self.arp_answers.setdefault(spa, set()).add(tpa)

    def on_ip(self, p: Pkt) -> None:
        """ICMP/ICMPv6 port unreachable quoting a UDP datagram: that port is closed."""
        data, at = p.data, p.l4
        if p.proto == PROTO_ICMP and data[at : at + 2] == b"\x03\x03":
            inner = at + 8
            if len(data) >= inner + 24 and data[inner] >> 4 == 4 and data[inner + 9] == 17:
                udp = inner + (data[inner] & 15) * 4
                src, dst = data[inner + 12 : inner + 16], data[inner + 16 : inner + 20]
                self.unreachable.add((src, dst, int.from_bytes(data[udp + 2 : udp + 4], "big")))
        elif p.proto == PROTO_ICMP6 and data[at : at + 2] == b"\x01\x04":
            inner = at + 8
            if len(data) >= inner + 48 and data[inner + 6] == 17:
                src, dst = data[inner + 8 : inner + 24], data[inner + 24 : inner + 40]
                port = int.from_bytes(data[inner + 42 : inner + 44], "big")
                self.unreachable.add((src, dst, port))

    def on_flows(self, flows: list[Flow]) -> None:
        """FIN, NULL and Xmas probes (TCP without SYN or ACK) and UDP probes, per target."""
        for flow in flows:
            if flow.proto == PROTO_TCP:
                for flags, pkts, back, src, dst, port in _directions(flow):
                    kind = _STEALTH.get(flags & (TCP_FIN | _PSH | _URG | TCP_SYN | TCP_ACK))
                    if kind is not None and pkts and not flags & TCP_RST:
                        probe = self._other(flow, src, dst, kind, port)
                        if back & TCP_RST:
                            probe.closed = (probe.closed or set()) | {port}
            elif (
                flow.proto == PROTO_UDP
                and 0 < flow.pkts_ab <= UDP_PROBE_PACKETS
                and flow.dport not in _TRACEROUTE
            ):
                probe = self._other(flow, flow.src, flow.dst, "udp", flow.dport)
                if flow.pkts_ba:
                    if probe.open is None:
                        probe.open = {}
                    probe.open.setdefault(flow.dport, flow.first_frame)

    def _other(self, flow: Flow, src: bytes, dst: bytes, kind: str, port: int) -> _Probe:
        probe = self.others.get((src, dst, kind))
        if probe is None:
            probe = self.others[(src, dst, kind)] = _Probe(flow.first_frame, flow.first_ts)
        probe.ports.add(port)
        if flow.first_frame > probe.last_frame:
            probe.last_frame, probe.last_ts = flow.first_frame, flow.first_ts
        return probe

    def _sweep(self, sender: bytes, probe: _Probe) -> Row:
        asked = sorted(probe.ports)
        answered = sum(1 for a in asked if sender in self.arp_answers.get(a.to_bytes(4, "big"), ()))
        low, high = (ip_text(a.to_bytes(4, "big")) for a in (asked[0], asked[-1]))
        row = _row({"scanner": ip_text(sender), "target": f"{low}-{high}"}, probe, "arp")
        row["open_count"] = answered
        return row

    def finish(self) -> Tables:
        scans: list[Row] = []
        open_ports: list[Row] = []
        for (scanner, target), probe in self.probes.items():
            if len(probe.ports) < MIN_PORTS:
                continue
            who = {"scanner": ip_text(scanner), "target": ip_text(target)}
            found = probe.open or {}
            opened = sorted(found)
            scans.append(
                {
                    **who,
                    "ports_probed": len(probe.ports),
                    "open_ports": ",".join(map(str, opened)),
                    "open_count": len(opened),
                    "closed_count": len((probe.closed or set()) - set(opened)),
                    "kind": _kind(probe),
                    "first_frame": probe.first_frame,
                    "last_frame": probe.last_frame,
                    "first_time": iso_time(probe.first_ts),
                    "last_time": iso_time(probe.last_ts),
                }
            )
            open_ports.extend({**who, "port": port, "frame": found[port]} for port in opened)
        for (scanner, target, kind), probe in self.others.items():
            if len(probe.ports) >= MIN_PORTS:
                if kind == "udp":
                    gone = {port for s, t, port in self.unreachable if (s, t) == (scanner, target)}
                    probe.closed = gone & probe.ports
                who = {"scanner": ip_text(scanner), "target": ip_text(target)}
                scans.append(_row(who, probe, kind))
                found = probe.open or {}
                open_ports.extend(
                    {**who, "port": port, "frame": found[port]} for port in sorted(found)
                )
        for sender, probe in self.arp.items():
            if len(probe.ports) >= MIN_HOSTS:
                scans.append(self._sweep(sender, probe))
        return {
            "scans": sorted(scans, key=lambda r: int(r["first_frame"])),
            "open_ports": sorted(open_ports, key=lambda r: int(r["frame"])),
        }


def _kind(probe: _Probe) -> str:
    """syn when the scanner never completed a handshake on an open port, else connect."""
    if any(flow.flags_ab & TCP_ACK for flow in probe.flows):
        return "connect"
    return "syn"


def _row(who: Row, probe: _Probe, kind: str) -> Row:
    opened = sorted(probe.open or {})
    return {
        **who,
        "ports_probed": len(probe.ports),
        "open_ports": ",".join(map(str, opened)),
        "open_count": len(opened),
        "closed_count": len((probe.closed or set()) - set(opened)),
        "kind": kind,
        "first_frame": probe.first_frame,
        "last_frame": probe.last_frame,
        "first_time": iso_time(probe.first_ts),
        "last_time": iso_time(probe.last_ts),
    }


def _directions(flow: Flow) -> list[tuple[int, int, int, bytes, bytes, int]]:
    """Each direction as (its flags, its packets, the other side's flags, sender, receiver,
    receiver port): the flow table may have taken a probe's target for the client."""
    return [
        (flow.flags_ab, flow.pkts_ab, flow.flags_ba, flow.src, flow.dst, flow.dport),
        (flow.flags_ba, flow.pkts_ba, flow.flags_ab, flow.dst, flow.src, flow.sport),
    ]
