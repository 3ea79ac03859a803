"""``scans``: TCP port scans (many ports probed on one target), with the ports found open.

A scan is one source sending connection attempts (SYN without ACK) to at least
``MIN_PORTS`` different ports of one target. A port is open when the target
answered SYN/ACK. A scanner that never acknowledges that SYN/ACK (it resets or stays
silent) ran a half-open "SYN scan" (nmap -sS); one that completes the handshake ran a
connect scan (nmap -sT).
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.decode import TCP_ACK, TCP_RST, TCP_SYN, Pkt
from runner.evidence.flows import Flow

MIN_PORTS = 10


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
    """Watches only TCP packets with SYN or RST set."""

    name = "scans"
    description = "TCP SYN/connect scans: scanner, target, ports probed, open ports"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "scans": (
            Field("scanner", "str", "address sending the probes"),
            Field("target", "str", "address probed"),
            Field("ports_probed", "int", "distinct destination ports probed"),
            Field("open_ports", "str", "ports that answered SYN/ACK, ascending, comma separated"),
            Field("open_count", "int", "number of open ports"),
            Field("closed_count", "int", "ports that answered RST"),
            Field("kind", "str", "syn (half-open: scanner reset the handshake) or connect"),
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

    def setup(self) -> None:
        self.probes: dict[tuple[bytes, bytes], _Probe] = {}

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
        return {
            "scans": sorted(scans, key=lambda r: int(r["first_frame"])),
            "open_ports": sorted(open_ports, key=lambda r: int(r["frame"])),
        }


def _kind(probe: _Probe) -> str:
    """syn when the scanner never completed a handshake on an open port, else connect."""
    if any(flow.flags_ab & TCP_ACK for flow in probe.flows):
        return "connect"
    return "syn"
