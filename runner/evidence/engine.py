"""The single streaming pass: read each frame once, decode it once, route it to the analyzers.

Memory stays flat however large the capture: packets are not kept, only the
analyzers' running state and the payload of TCP streams an analyzer asked for,
which is handed over and dropped as soon as the stream closes.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.evidence.analyzers.base import Analyzer, RunOptions
from runner.evidence.analyzers.registry import all_analyzers, get
from runner.evidence.decode import PROTO_TCP, PROTO_UDP, TCP_RST, TCP_SYN, Pkt, decode
from runner.evidence.flows import Flow, FlowTable
from runner.evidence.reader import iter_records
from runner.evidence.streams import build_stream
from runner.evidence.table import Table

Hook = Callable[[Pkt], None]
Progress = Callable[[int], None]  # bytes of the file consumed so far (approximate)
# What a damaged packet can raise inside an analyzer's parser; anything else is a bug.
DAMAGE = (struct.error, IndexError, ValueError, KeyError, UnicodeError, OverflowError)
_MAX_KEPT_WARNINGS = 200
_PROGRESS_EVERY = 1 << 14


@dataclass
class WarningLog:
    """Warnings of one pass: the first few kept verbatim, all of them counted."""

    messages: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.messages) < _MAX_KEPT_WARNINGS:
            self.messages.append(message)


@dataclass
class FactSet:
    """Everything one pass found: tables of rows keyed ``analyzer.table``, and warnings."""

    tables: dict[str, Table]
    analyzers: dict[str, str]  # name -> analyzer version
    packets: int
    warnings: list[str]
    warning_count: int

    def to_json(self, *, compact: bool = False) -> dict[str, Any]:
        """JSON form; ``compact`` stores each table as field names plus row lists."""
        return {
            "analyzers": self.analyzers,
            "packets": self.packets,
            "warnings": self.warnings,
            "warning_count": self.warning_count,
            "tables": {
                name: table.to_columns() if compact else list(table)
                for name, table in self.tables.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FactSet:
        """Inverse of :meth:`to_json` with ``compact=True``."""
        return cls(
            tables={name: Table.from_columns(t) for name, t in data["tables"].items()},
            analyzers=data["analyzers"],
            packets=int(data["packets"]),
            warnings=list(data["warnings"]),
            warning_count=int(data["warning_count"]),
        )


class _Routes:
    """Which analyzer hooks each kind of packet reaches, computed once per pass."""

    def __init__(self, analyzers: list[Analyzer]) -> None:
        self.records = [a.on_record for a in analyzers if a.wants_records]
        self.all: list[Hook] = [a.on_packet for a in analyzers if a.wants_all]
        self.ip: list[Hook] = [a.on_ip for a in analyzers if a.wants_ip]
        self.wifi: list[Hook] = [a.on_frame for a in analyzers if a.wants_wifi]
        self.frags: list[Hook] = [a.on_fragment for a in analyzers if a.wants_fragments]
        self.ether: dict[int, list[Hook]] = {}
        self.proto: dict[int, list[Hook]] = {}
        self.udp: dict[int, list[Hook]] = {}
        for a in analyzers:
            for etype in a.ether_types:
                self.ether.setdefault(etype, []).append(a.on_frame)
            for proto in a.ip_protos:
                self.proto.setdefault(proto, []).append(a.on_ip)
            for port in a.udp_ports:
                self.udp.setdefault(port, []).append(a.on_udp)
        self.control = [a.on_tcp_control for a in analyzers if a.tcp_control]
        self.streams = [a for a in analyzers if a.tcp_ports or type(a).sniff is not Analyzer.sniff]
        self.flows = [a for a in analyzers if a.wants_flows]


def select(names: Iterable[str] | None) -> list[type[Analyzer]]:
    """The analyzer classes to run: all, or the named ones (unknown names raise InputError)."""
    if names is None:
        return list(all_analyzers().values())
    return [get(name) for name in names]


def analyze(
    path: Path,
    names: Iterable[str] | None = None,
    *,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> FactSet:
    """Run the chosen analyzers over a capture in one pass.

    Raises:
        CaptureError: the capture cannot be read at all.
        InputError: an analyzer name is unknown.
    """
    log = WarningLog()
    opts = options or RunOptions()
    analyzers = [cls(opts, log.add) for cls in select(names)]
    routes = _Routes(analyzers)

    def closed(flow: Flow) -> None:
        stream = build_stream(flow)
        for who in (stream.client, stream.server):
            if who.gap:
                where = who.frames[-1] if who.frames else flow.first_frame
                log.add(
                    f"frame {where}: TCP stream {flow.index} has a gap (missing segment); cut there"
                )
        for analyzer in flow.consumers:
            try:
                analyzer.on_stream(stream)
            except DAMAGE as exc:
                analyzer.warn(flow.first_frame, f"damaged stream {flow.index}: {exc}")

    flow_table = FlowTable(routes.streams, closed)
    packets = _loop(path, routes, flow_table, log, progress)
    flow_table.close_all()
    for analyzer in routes.flows:
        analyzer.on_flows(flow_table.flows)
    tables: dict[str, Table] = {}
    for analyzer in analyzers:
        for short, rows in analyzer.finish().items():
            fields = [f.name for f in analyzer.tables[short]]
            table = rows if isinstance(rows, Table) else Table.from_dicts(fields, rows)
            tables[f"{analyzer.name}.{short}"] = table
    return FactSet(
        tables=tables,
        analyzers={a.name: a.version for a in analyzers},
        packets=packets,
        warnings=log.messages,
        warning_count=log.count,
    )


def _loop(
    path: Path, routes: _Routes, table: FlowTable, log: WarningLog, progress: Progress | None
) -> int:
    """The hot loop. Long on purpose: every call saved here is paid once per packet."""
    p = Pkt()
    frame = consumed = 0
    records, ip_hooks, wifi_hooks, frags = routes.records, routes.ip, routes.wifi, routes.frags
    ether, protos, udp, control = routes.ether, routes.proto, routes.udp, routes.control
    everything = routes.all
    want_udp_flows = bool(routes.flows)
    tcp, udp_flow = table.tcp, table.udp
    for ts, linktype, data, wirelen in iter_records(path, on_warning=log.add):
        frame += 1
        for count in records:
            count(frame, ts, linktype, wirelen)
        if progress is not None:
            consumed += len(data) + 16
            if not frame % _PROGRESS_EVERY:
                progress(consumed)
        p.frame, p.ts, p.wirelen = frame, ts, wirelen
        try:
            decode(p, data, linktype)
            if p.damaged:
                log.add(f"frame {frame}: {p.damaged}")
            for hook in everything:
                hook(p)
            if p.wifi >= 0:
                for hook in wifi_hooks:
                    hook(p)
            if p.ipv:
                for hook in ip_hooks:
                    hook(p)
                if p.frag:
                    for hook in frags:
                        hook(p)
                proto = p.proto
                if proto in protos:
                    for hook in protos[proto]:
                        hook(p)
                if p.sport < 0:
                    continue
                if proto == PROTO_TCP:
                    flow = tcp(p)
                    if control and p.flags & (TCP_SYN | TCP_RST):
                        for ctl in control:
                            ctl(p, flow)
                elif proto == PROTO_UDP:
                    if want_udp_flows:
                        udp_flow(p)
                    hooks = udp.get(p.dport) or udp.get(p.sport)
                    if hooks:
                        for hook in hooks:
                            hook(p)
            elif p.etype in ether:
                for hook in ether[p.etype]:
                    hook(p)
        except DAMAGE as exc:
            log.add(f"frame {frame}: damaged packet skipped ({type(exc).__name__}: {exc})")
    if progress is not None:
        progress(consumed)
    return frame
