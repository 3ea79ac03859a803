"""The single streaming pass: read each frame once, decode it once, route it to the analyzers.

Memory stays flat however large the capture: packets are not kept, only the
analyzers' running state and the payload of TCP streams an analyzer asked for,
which is handed over and dropped as soon as the stream closes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.evidence.analyzers.base import Analyzer, RunOptions
from runner.evidence.analyzers.registry import all_analyzers, get
from runner.evidence.decode import Pkt
from runner.evidence.flows import Flow, FlowTable
from runner.evidence.handover import deliver, merge_warnings, quiet_gc, tables_of
from runner.evidence.loop import Pairs, Progress, Totals, run
from runner.evidence.pipeline import PIPELINE_FROM, StreamWorker, apart
from runner.evidence.table import Table

Hook = Callable[[Pkt], None]
_MAX_KEPT_WARNINGS = 200


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
    kind: str = "capture"  # the evidence kind that produced these facts

    def to_json(self, *, compact: bool = False) -> dict[str, Any]:
        """JSON form; ``compact`` stores each table as field names plus row lists."""
        return {
            "kind": self.kind,
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
            kind=str(data.get("kind", "capture")),
        )


class _Routes:
    """Which analyzer hooks each kind of packet reaches, computed once per pass."""

    def __init__(self, analyzers: list[Analyzer], worker: StreamWorker | None = None) -> None:
        apart = worker.analyzers if worker else []
        ship = worker.packet if worker else None
        self.records = [a.on_record for a in analyzers if a.wants_records]
        self.totals = [a for a in analyzers if a.wants_totals]
        self.pairs = [a for a in analyzers if a.wants_pairs]
        self.all: list[Hook] = [a.on_packet for a in analyzers if a.wants_all]
        self.ip: list[Hook] = [a.on_ip for a in analyzers if a.wants_ip]
        self.wifi: list[Hook] = [a.on_frame for a in analyzers if a.wants_wifi]
        self.frags: list[Hook] = [a.on_fragment for a in analyzers if a.wants_fragments]
        self.ether: dict[int, list[Hook]] = {}
        self.proto: dict[int, list[Hook]] = {}
        self.udp: dict[int, list[Hook]] = {}
        for a in analyzers:
            here = a not in apart
            for etype in a.ether_types:
                _route(self.ether, etype, a.on_frame if here else ship)
            for proto in a.ip_protos:
                _route(self.proto, proto, a.on_ip if here else ship)
            for port in a.udp_ports:
                _route(self.udp, port, a.on_udp if here else ship)
        self.control = [a.on_tcp_control for a in analyzers if a.tcp_control]
        self.streams = [a for a in analyzers if a.tcp_ports or type(a).sniff is not Analyzer.sniff]
        self.flows = [a for a in analyzers if a.wants_flows]


def _route(table: dict[int, list[Hook]], key: int, hook: Hook | None) -> None:
    """Add a hook (the worker's shipping hook once per key, however many analyzers)."""
    hooks = table.setdefault(key, [])
    if hook is not None and hook not in hooks:
        hooks.append(hook)


def select(names: Iterable[str] | None) -> list[type[Analyzer]]:
    """The capture analyzers to run: all but the on-demand ones, or the named ones (unknown
    names raise InputError)."""
    return select_for("capture", names)


def select_for(kind: str, names: Iterable[str] | None) -> list[type[Analyzer]]:
    """The analyzers reading one evidence kind: all but the on-demand ones, or the named ones.

    Raises:
        InputError: a name is unknown, or names an analyzer of another kind.
    """
    if names is None:
        return [c for c in all_analyzers().values() if kind in c.kinds and not c.on_demand]
    chosen = [get(name) for name in names]
    for cls in chosen:
        if kind not in cls.kinds:
            mine = [n for n, c in all_analyzers().items() if kind in c.kinds]
            raise InputError(
                f"analyzer {cls.name!r} reads {', '.join(sorted(cls.kinds))} evidence, "
                f"not {kind}",
                fix=f"for {kind} evidence use one of: {', '.join(mine)}",
            )
    return chosen


def analyze(
    path: Path,
    names: Iterable[str] | None = None,
    *,
    options: RunOptions | None = None,
    progress: Progress | None = None,
    pipeline: bool | None = None,
) -> FactSet:
    """Run the chosen analyzers over a capture in one pass.

    ``pipeline`` runs the analyzers that can run apart (those taking TCP streams, with
    packets they are the last to see: http, tls, credentials, dns) in a second process
    fed by this one: True always, False never, None (default) for captures of at
    least ``PIPELINE_FROM`` bytes on a machine with two cores or more. The result is
    identical either way.

    Raises:
        CaptureError: the capture cannot be read at all.
        InputError: an analyzer name is unknown.
    """
    with quiet_gc():
        return _analyze(path, names, options, progress, pipeline)


def _analyze(
    path: Path,
    names: Iterable[str] | None,
    options: RunOptions | None,
    progress: Progress | None,
    pipeline: bool | None,
) -> FactSet:
    log = WarningLog()
    opts = options or RunOptions()
    analyzers = [cls(opts, log.add) for cls in select(names)]
    versions = {a.name: a.version for a in analyzers}
    worker = _start_worker(path, analyzers, opts, log, pipeline)
    try:
        packets, tables = _pass(path, analyzers, log, progress, worker)
        del analyzers  # their state (flows, tallies) is freed before the worker's tables arrive
        results = worker.finish() if worker else None
    finally:
        if worker:
            worker.stop()
    if results is not None:
        tables.update(results.tables)
    ordered: dict[str, Table] = {}
    for name in versions:
        ordered.update(tables[name])
    warnings, count = log.messages, log.count
    if results is not None:
        warnings = merge_warnings(warnings, results.warnings)[:_MAX_KEPT_WARNINGS]
        count += results.warning_count
    return FactSet(
        tables=ordered,
        analyzers=versions,
        packets=packets,
        warnings=warnings,
        warning_count=count,
    )


def _pass(
    path: Path,
    analyzers: list[Analyzer],
    log: WarningLog,
    progress: Progress | None,
    worker: StreamWorker | None,
) -> tuple[int, dict[str, dict[str, Table]]]:
    """This process's share of the pass: the packets, then its analyzers' tables (by name).

    The flow table is freed on return.
    """
    routes = _Routes(analyzers, worker)
    remote = {a: i for i, a in enumerate(worker.analyzers)} if worker else {}

    def closed(flow: Flow) -> None:
        deliver(flow, flow.consumers, log.add, gaps=True)

    flow_table = FlowTable(routes.streams, closed, remote, worker)
    totals = Totals()
    pairs: Pairs | None = {} if routes.pairs else None
    packets = run(path, routes, flow_table, log.add, progress, totals, pairs)
    flow_table.close_all()
    if worker:
        worker.done()  # the worker finishes while this process builds its tables
    for analyzer in routes.totals:
        analyzer.on_totals(totals)
    for analyzer in routes.pairs:
        analyzer.on_pairs(pairs or {})
    for analyzer in routes.flows:
        analyzer.on_flows(flow_table.flows)
    return packets, {a.name: tables_of(a) for a in analyzers if a not in remote}


def _start_worker(
    path: Path, analyzers: list[Analyzer], opts: RunOptions, log: WarningLog, force: bool | None
) -> StreamWorker | None:
    """A worker process for the stream-only analyzers, when the capture is big enough."""
    wanted = apart(analyzers)
    if not wanted or force is False:
        return None
    if force is None:
        try:
            size = Path(path).stat().st_size
        except OSError:
            return None  # the reader reports it
        if size < PIPELINE_FROM or (os.cpu_count() or 1) < 2:
            return None
    return StreamWorker(path, wanted, opts, lambda: log.count)
