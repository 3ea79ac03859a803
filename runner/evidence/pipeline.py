"""The second core: stream analyzers (http, tls, credentials, dns) in a worker process.

On a large capture about half the pass is reassembling HTTP streams, parsing the
messages and hashing the objects. None of that needs the per-packet hooks, so the
main process keeps reading, decoding and counting, and ships the TCP segments of
the streams those analyzers asked for (the same segments it would otherwise keep
itself) to a worker in batches of about a megabyte. The worker rebuilds each
stream when the main process reports it closed and runs the analyzers on it.

The output is identical to a single-process pass: the main process still decides
which segments are kept and when a stream closes, the worker sees the same closes
in the same order, and each worker warning carries the number of main warnings
logged before its stream closed, so the two logs merge back in pass order.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from runner.evidence.analyzers.base import Analyzer, RunOptions
from runner.evidence.decode import PROTO_TCP, PROTO_UDP, Pkt, decode
from runner.evidence.flows import SEGMENT, Flow, Segment
from runner.evidence.handover import DAMAGE, deliver, tables_of
from runner.evidence.table import Table

PIPELINE_FROM = 20 * 1024 * 1024  # smaller captures do not repay starting a process
_BATCH_BYTES = 1 << 20
_BATCH_ITEMS = 4096
_BATCH_SEGMENTS = 8192  # segments sent by offset, packed, per batch
_WINDOW = 1 << 20
# Batches the main process may have in flight before it waits for the worker (back-
# pressure, in the kernel's socket buffer: nothing grows if the worker falls behind).
_SEND_BUFFER = 4 << 20
_RESULT_ROWS = 4096  # table rows per message back: no copy of all the tables at once
Hook = Callable[[Pkt], None]
_LOCAL = ("consumers", "segs_ab", "segs_ba", "macs_ab", "macs_ba", "tally_ab", "tally_ba")
_FLOW_STATE = tuple(s for s in Flow.__slots__ if s not in _LOCAL)
_NEVER: tuple[str, ...] = ("wants_records", "wants_totals", "wants_pairs", "wants_all")
_NEVER += ("wants_ip", "wants_wifi", "wants_fragments", "tcp_control", "wants_flows")
_PACKET_HOOKS = (
    "on_record",
    "on_totals",
    "on_pairs",
    "on_packet",
    "on_fragment",
    "on_tcp_control",
    "on_flows",
)


def runs_apart(cls: type[Analyzer]) -> bool:
    """Whether an analyzer runs in the worker: it takes TCP streams, and otherwise sees only
    packets it is the last to see (by ether type, by a non-TCP/UDP IP protocol, by UDP port).

    One that takes no stream stays (icmp, arp, dhcp): its packets cost about as much to
    ship (pickled, decoded again) as to analyze here (measured on the bench capture).
    Its ``sniff`` must depend on the payload alone: the main process calls it.
    """
    if not cls.tcp_ports and cls.sniff is Analyzer.sniff:
        return False
    if any(getattr(cls, flag) for flag in _NEVER):
        return False
    if cls.ip_protos & {PROTO_TCP, PROTO_UDP}:
        return False
    return all(getattr(cls, h) is getattr(Analyzer, h) for h in _PACKET_HOOKS)


def apart(analyzers: list[Analyzer]) -> list[Analyzer]:
    """The analyzers to run in the worker: those that can, and share no packet with one
    that stays (a packet is shipped whole to one side or the other)."""
    chosen = [a for a in analyzers if runs_apart(type(a))]
    while True:
        staying = [a for a in analyzers if a not in chosen]
        keys = {k for a in staying for k in _keys(a)}
        kept = [a for a in chosen if not keys & _keys(a)]
        if len(kept) == len(chosen):
            return chosen
        chosen = kept


def _keys(a: Analyzer) -> set[tuple[str, int]]:
    return (
        {("ether", t) for t in a.ether_types}
        | {("proto", t) for t in a.ip_protos}
        | {("udp", t) for t in a.udp_ports}
    )


@dataclass
class WorkerResults:
    """What the worker hands back: its analyzers' tables and its placed warnings."""

    tables: dict[str, dict[str, Table]]  # analyzer name -> its tables
    warnings: list[tuple[int, str]]  # (main warnings before it, message)
    warning_count: int


class StreamWorker:
    """Main-process end: batches segments and closes, sends them, collects the results."""

    def __init__(
        self,
        path: Path,
        analyzers: list[Analyzer],
        options: RunOptions,
        position: Callable[[], int],
    ) -> None:
        self.analyzers = analyzers
        self._position = position
        self.outbox: list[Any] = []  # packets, closes, and segments sent as bytes, in order
        # Segments sent by offset, packed (``SEGMENT``): the engine's loop appends them
        # itself and calls flush() at ``segments_limit`` bytes.
        self.segments = bytearray()
        self.segments_limit = _BATCH_SEGMENTS * SEGMENT.size
        self._size = 0
        methods = multiprocessing.get_all_start_methods()
        # fork is instant and needs nothing importable; not safe once threads run.
        method = "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"
        ctx = multiprocessing.get_context(method)
        self._conn, child = ctx.Pipe()
        _widen(self._conn)
        classes = [type(a) for a in analyzers]
        process: Any = ctx.Process  # type: ignore[attr-defined]  # typeshed: BaseContext lacks it
        args = (child, classes, options, str(path))
        self._proc = process(target=_serve, args=args, daemon=True)
        self._proc.start()
        child.close()

    def segment(
        self,
        index: int,
        forward: bool,
        seq: int,
        frame: int,
        ts: int,
        where: bytes | int,
        size: int,
    ) -> None:
        """One kept segment of a stream the worker's analyzers want: its bytes, or their
        offset in the capture file."""
        if where.__class__ is int:
            self.segments += SEGMENT.pack(index, forward, seq, frame, ts, where, size)
            if len(self.segments) >= self.segments_limit:
                self.flush()
            return
        outbox = self.outbox
        outbox.append((index, forward, seq, frame, ts, where, size))
        self._size += size
        if self._size >= _BATCH_BYTES or len(outbox) >= _BATCH_ITEMS:
            self.flush()

    def packet(self, p: Pkt) -> None:
        """A packet for the worker's analyzers (decoded again there: it is small and rare)."""
        self.outbox.append((p.frame, p.ts, p.wirelen, p.linktype, p.data, self._position()))
        self._size += len(p.data)
        if self._size >= _BATCH_BYTES:
            self.flush()

    def close(self, flow: Flow) -> None:
        """The stream closed: the worker reassembles it (and reports gaps if no one here does)."""
        state = tuple(getattr(flow, s) for s in _FLOW_STATE)
        self.outbox.append((state, flow.remote, not flow.consumers, self._position()))

    def flush(self) -> None:
        """Send the batch (emptied, not replaced: the loop holds the segment buffer).

        The worker files a batch's packed segments before its other items: no item
        needs a later segment (a stream's segments all precede its close).
        """
        if self.outbox or self.segments:
            batch = (self.segments, self.outbox)
            self._send(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
            self.segments.clear()
            self.outbox.clear()
            self._size = 0

    def done(self) -> None:
        """No more packets: send what is left and let the worker finish."""
        self.flush()
        self._send(b"")

    def _send(self, blob: bytes) -> None:
        try:
            self._conn.send_bytes(blob)
        except OSError as exc:  # the worker has stopped: report why, if it said
            try:
                message = pickle.loads(self._conn.recv_bytes())
            except (OSError, EOFError):
                raise exc from None
            if message[0] == "error":
                raise message[1] from None
            raise

    def finish(self) -> WorkerResults:
        """Wait for the worker's tables and warnings (after :meth:`done`), a chunk of rows
        at a time."""
        tables: dict[str, dict[str, Table]] = {}
        while True:
            message = pickle.loads(self._conn.recv_bytes())
            if message[0] == "rows":
                mine = tables.setdefault(message[1], {})
                for short, fields, rows in message[2]:
                    table = mine.get(short)
                    if table is None:
                        table = mine[short] = Table(fields)
                    table.rows.extend(rows)
            elif message[0] == "end":
                return WorkerResults(tables, message[1], message[2])
            else:
                raise message[1]

    def stop(self) -> None:
        """Release the worker (after :meth:`finish`, or when the pass failed)."""
        self._conn.close()
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()


class _PlacedLog:
    """Worker warnings, each stamped with where it belongs among the main process's."""

    def __init__(self) -> None:
        self.position = 0
        self.placed: list[tuple[int, str]] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.placed) < 200:
            self.placed.append((self.position, message))


class _Routes:
    """The worker's share of the engine's routing: tail hooks by protocol, port, ether type."""

    def __init__(self, analyzers: list[Analyzer]) -> None:
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

    def dispatch(self, p: Pkt, data: bytes, linktype: int, warn: Callable[[str], None]) -> None:
        """Decode and route one packet as the engine's loop does (it was routed here)."""
        try:
            decode(p, data, linktype)
            if p.ipv:
                for hook in self.proto.get(p.proto, ()):
                    hook(p)
                if p.sport >= 0 and p.proto == PROTO_UDP:
                    for hook in self.udp.get(p.dport) or self.udp.get(p.sport) or ():
                        hook(p)
            else:
                for hook in self.ether.get(p.etype, ()):
                    hook(p)
        except DAMAGE as exc:
            warn(f"frame {p.frame}: damaged packet skipped ({type(exc).__name__}: {exc})")


class _Window:
    """Sequential reads of the capture, a megabyte at a time, for segments sent by offset:
    ``buf`` holds the file's bytes from offset ``base`` on."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd = -1
        self.buf = b""
        self.base = 0

    def read(self, at: int, size: int) -> bytes:
        """Move the window to offset ``at`` (at least ``size`` bytes); return the new ``buf``."""
        if self._fd < 0:
            self._fd = os.open(self._path, os.O_RDONLY)
        self.buf = os.pread(self._fd, max(_WINDOW, size), at)
        self.base = at
        return self.buf

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _restore(state: tuple[Any, ...]) -> Flow:
    flow = Flow.__new__(Flow)
    for name, value in zip(_FLOW_STATE, state, strict=True):
        setattr(flow, name, value)
    flow.consumers = []
    return flow


def _serve(conn: Connection, classes: list[type[Analyzer]], options: RunOptions, path: str) -> None:
    """Worker-process end: rebuild streams as they close and run the analyzers on them."""
    gc.disable()  # as in the main process (``quiet_gc``): the worker exits after the pass
    _widen(conn)  # tables go out while the main process still builds its own
    log = _PlacedLog()
    try:
        analyzers = [cls(options, log.add) for cls in classes]
        live: dict[int, tuple[list[Segment], list[Segment]]] = {}
        window = _Window(path)
        routes = _Routes(analyzers)
        p = Pkt()
        while blob := conn.recv_bytes():
            segments, items = pickle.loads(blob)
            buf, base = window.buf, window.base
            for index, forward, seq, frame, ts, at, size in SEGMENT.iter_unpack(segments):
                start = at - base
                if start < 0 or start + size > len(buf):
                    buf, base, start = window.read(at, size), at, 0
                sides = live.get(index)
                if sides is None:
                    sides = live[index] = ([], [])
                sides[0 if forward else 1].append((seq, frame, ts, buf[start : start + size]))
            for item in items:
                if len(item) == 6:
                    p.frame, p.ts, p.wirelen, linktype, data, log.position = item
                    routes.dispatch(p, data, linktype, log.add)
                    continue
                if len(item) == 7:
                    index, forward, seq, frame, ts, where, size = item
                    sides = live.get(index)
                    if sides is None:
                        sides = live[index] = ([], [])
                    sides[0 if forward else 1].append((seq, frame, ts, where))
                    continue
                state, ids, gaps, log.position = item
                flow = _restore(state)
                flow.segs_ab, flow.segs_ba = live.pop(flow.index, ([], []))
                deliver(flow, [analyzers[i] for i in ids], log.add, gaps=gaps)
        window.close()
        del live, routes, p
        _send_tables(conn, analyzers)
        reply: tuple[Any, ...] = ("end", log.placed, log.count)
    except BaseException as exc:  # re-raised in the main process
        reply = ("error", _portable(exc))
    with contextlib.suppress(OSError):  # the main process may have given up first
        conn.send_bytes(pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))
    conn.close()


def _send_tables(conn: Connection, analyzers: list[Analyzer]) -> None:
    """Each analyzer's tables, a chunk of rows of each per message (values its tables share,
    like the URI of a request, its response and its object, stay shared); an analyzer
    (and its state) is dropped once its tables are built."""
    while analyzers:
        name, tables = analyzers[0].name, tables_of(analyzers[0])
        del analyzers[0]
        longest = max((len(t) for t in tables.values()), default=0)
        for start in range(0, max(longest, 1), _RESULT_ROWS):
            end = start + _RESULT_ROWS
            chunk = [(short, t.fields, t.rows[start:end]) for short, t in tables.items()]
            conn.send_bytes(pickle.dumps(("rows", name, chunk), pickle.HIGHEST_PROTOCOL))
        del tables


def _widen(conn: Connection) -> None:
    """Let a few megabytes of messages wait in the socket (best effort)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = os.dup(conn.fileno())
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)  # not a socket: leave it as it is
            return
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SEND_BUFFER)


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else its traceback as a RuntimeError."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"stream worker failed:\n{text}")
    return exc
