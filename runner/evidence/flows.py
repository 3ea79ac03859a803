"""The flow table: TCP and UDP conversations keyed by a direction-agnostic 5-tuple.

One table serves two needs in one dictionary lookup per packet: the conversation
counters (packets and bytes each way, first/last frame, TCP flags seen) and, for
the streams some analyzer asked for, the TCP payload segments to reassemble.
A new SYN on a finished 5-tuple starts a new conversation, as port reuse does in
Wireshark's ``tcp.stream`` numbering.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from runner.evidence.decode import PROTO_TCP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, Pkt

if TYPE_CHECKING:
    from runner.evidence.analyzers.base import Analyzer

Segment = tuple[int, int, int, bytes]  # seq, frame, ts, payload
# A segment for another process, by file offset: index, forward, seq, frame, ts, offset, size.
SEGMENT = struct.Struct("<QBIQQQI")
_DONE = TCP_FIN | TCP_RST


class Sink(Protocol):
    """Where the segments of streams wanted by another process go (see ``pipeline``)."""

    def segment(
        self,
        index: int,
        forward: bool,
        seq: int,
        frame: int,
        ts: int,
        where: bytes | int,
        size: int,
    ) -> None: ...
    def close(self, flow: Flow) -> None: ...
    def flush(self) -> None: ...

    # The engine's loop packs segments sent by offset (``SEGMENT``) into ``segments``
    # itself, and calls ``flush`` once it holds ``segments_limit`` bytes.
    segments: bytearray
    segments_limit: int


class Flow:
    """One conversation; ``src``/``sport`` is the side that opened it (the client)."""

    __slots__ = (
        "bytes_ab",
        "bytes_ba",
        "consumers",
        "dport",
        "dst",
        "first_frame",
        "first_ts",
        "flags_ab",
        "flags_ba",
        "index",
        "isn_ab",
        "isn_ba",
        "kept_ab",
        "kept_ba",
        "key",
        "last_frame",
        "last_ts",
        "limit",
        "macs_ab",
        "macs_ba",
        "pkts_ab",
        "pkts_ba",
        "proto",
        "remote",
        "segs_ab",
        "segs_ba",
        "sniffed",
        "sport",
        "src",
        "tally_ab",
        "tally_ba",
    )

    def __init__(self, index: int, proto: int, p: Pkt, swap: bool) -> None:
        self.index = index
        self.proto = proto
        if swap:
            self.src, self.sport, self.dst, self.dport = p.dst, p.dport, p.src, p.sport
        else:
            self.src, self.sport, self.dst, self.dport = p.src, p.sport, p.dst, p.dport
        self.first_frame = self.last_frame = p.frame
        self.first_ts = self.last_ts = p.ts
        self.pkts_ab = self.pkts_ba = self.bytes_ab = self.bytes_ba = 0
        self.flags_ab = self.flags_ba = 0
        self.isn_ab: int | None = None
        self.isn_ba: int | None = None
        self.key = b""  # directional key of the client-to-server side (see FlowTable)
        self.consumers: list[Analyzer] = []  # analyzers fed in this process
        self.remote: tuple[int, ...] = ()  # analyzers fed by the stream worker (their ids)
        self.segs_ab: list[Segment] | None = None
        self.segs_ba: list[Segment] | None = None
        self.kept_ab = self.kept_ba = 0
        self.limit = 0
        self.sniffed = False
        # The engine's loop: last MACs seen each way and their address-pair tally.
        self.macs_ab = self.macs_ba = b""
        self.tally_ab: list[int] | None = None
        self.tally_ba: list[int] | None = None

    @property
    def closed(self) -> bool:
        """Both sides sent FIN, or either side sent RST."""
        return bool(
            (self.flags_ab | self.flags_ba) & TCP_RST
            or (self.flags_ab & TCP_FIN and self.flags_ba & TCP_FIN)
        )


def _swap_for(p: Pkt) -> bool:
    """Whether the first packet seen was sent by the server, not the client."""
    if p.proto == PROTO_TCP:
        flags = p.flags & (TCP_SYN | TCP_ACK)
        if flags == TCP_SYN:
            return False
        if flags == TCP_SYN | TCP_ACK:
            return True
    # No handshake seen: the side on the lower (service) port is the server.
    return p.sport < 1024 <= p.dport or (p.sport < p.dport and p.sport in _SERVICE_PORTS)


def flow_key(p: Pkt) -> bytes:
    """Source and destination address, then source and destination port, as raw bytes."""
    return p.src + p.dst + _PORTS(p.sport, p.dport)


def _reverse(key: bytes) -> bytes:
    half = (len(key) - 4) // 2
    return key[half : 2 * half] + key[:half] + key[-2:] + key[-4:-2]


_PORTS = struct.Struct("!HH").pack
_SERVICE_PORTS = frozenset({53, 67, 68, 80, 123, 137, 138, 443, 1900, 5353, 5355, 8080})


class FlowTable:
    """All flows of one pass; routes TCP payload to the analyzers that want the stream."""

    def __init__(
        self,
        stream_analyzers: Sequence[Analyzer],
        on_close: Callable[[Flow], None],
        remote: Mapping[Analyzer, int] | None = None,
        sink: Sink | None = None,
    ) -> None:
        self.flows: list[Flow] = []
        # Live flows by directional key (addresses and ports as on the wire), both ways.
        self.live_tcp: dict[bytes, Flow] = {}
        self._udp: dict[bytes, Flow] = {}
        self._stream_analyzers = tuple(stream_analyzers)
        self._by_port: dict[int, list[Analyzer]] = {}
        for analyzer in stream_analyzers:
            for port in analyzer.tcp_ports:
                self._by_port.setdefault(port, []).append(analyzer)
        self._on_close = on_close
        self._remote = dict(remote or {})
        self.sink = sink

    def _open(self, p: Pkt, key: bytes, live: dict[bytes, Flow], old: Flow | None) -> Flow:
        """The flow a packet with no live conversation, or a SYN, belongs to."""
        proto = p.proto
        if old is not None and not (
            proto == PROTO_TCP
            and p.flags & (TCP_SYN | TCP_ACK) == TCP_SYN
            and (old.flags_ab | old.flags_ba) & _DONE
        ):
            return old
        if old is not None and old.segs_ab is not None:
            self.finalize(old)
        swap = _swap_for(p)
        flow = Flow(len(self.flows), proto, p, swap)
        back = _reverse(key)
        flow.key = back if swap else key
        self.flows.append(flow)
        live[key] = live[back] = flow
        return flow

    def udp(self, p: Pkt) -> Flow:
        """Count one UDP datagram."""
        key = p.key or flow_key(p)
        flow = self._udp.get(key)
        if flow is None:
            flow = self._open(p, key, self._udp, None)
        flow.last_frame = p.frame
        flow.last_ts = p.ts
        if key == flow.key:
            flow.pkts_ab += 1
            flow.bytes_ab += p.wirelen
        else:
            flow.pkts_ba += 1
            flow.bytes_ba += p.wirelen
        return flow

    def tcp(self, p: Pkt) -> Flow:
        """Count one TCP segment and keep its payload if an analyzer wants the stream."""
        key = p.key or flow_key(p)
        flow = self.live_tcp.get(key)
        flags = p.flags
        if flow is None or flags & (TCP_SYN | TCP_ACK) == TCP_SYN:
            flow = self._open(p, key, self.live_tcp, flow)  # new conversation, or port reuse
        flow.last_frame = p.frame
        flow.last_ts = p.ts
        forward = key == flow.key
        if forward:
            flow.pkts_ab += 1
            flow.bytes_ab += p.wirelen
            flow.flags_ab |= flags
            if flags & TCP_SYN:
                flow.isn_ab = p.seq
        else:
            flow.pkts_ba += 1
            flow.bytes_ba += p.wirelen
            flow.flags_ba |= flags
            if flags & TCP_SYN:
                flow.isn_ba = p.seq
        if p.end > p.pl:
            if not flow.sniffed:
                self._choose_consumers(flow, p)
            if flow.limit:
                self._keep(flow, p, forward)
        if flags & _DONE and flow.segs_ab is not None and flow.closed:
            self.finalize(flow)
        return flow

    def _choose_consumers(self, flow: Flow, p: Pkt) -> None:
        flow.sniffed = True
        chosen = list(self._by_port.get(flow.dport, ()))
        for analyzer in self._by_port.get(flow.sport, ()):
            if analyzer not in chosen:
                chosen.append(analyzer)
        payload = p.data[p.pl : p.end]
        for analyzer in self._stream_analyzers:
            if analyzer not in chosen and analyzer.sniff(payload):
                chosen.append(analyzer)
        if chosen:
            remote = self._remote
            flow.consumers = [a for a in chosen if a not in remote]
            flow.remote = tuple(remote[a] for a in chosen if a in remote)
            flow.limit = max(a.stream_limit for a in chosen)
            flow.segs_ab, flow.segs_ba = [], []

    def _keep(self, flow: Flow, p: Pkt, forward: bool) -> None:
        segs = flow.segs_ab if forward else flow.segs_ba
        if segs is None:
            return  # stream already handed over: late retransmission
        size = p.end - p.pl
        kept = flow.kept_ab if forward else flow.kept_ba
        if kept >= flow.limit:
            return
        if flow.consumers:
            segs.append((p.seq, p.frame, p.ts, p.data[p.pl : p.end]))
        if flow.remote and self.sink is not None:
            # From a pcap file the worker reads the bytes itself: send where they are.
            at = p.off
            where = at + p.pl if at >= 0 else p.data[p.pl : p.end]
            self.sink.segment(flow.index, forward, p.seq, p.frame, p.ts, where, size)
        if forward:
            flow.kept_ab = kept + size
        else:
            flow.kept_ba = kept + size

    def finalize(self, flow: Flow) -> None:
        if flow.consumers:
            self._on_close(flow)
        if flow.remote and self.sink is not None:
            self.sink.close(flow)
        flow.segs_ab = flow.segs_ba = None

    def close_all(self) -> None:
        """Hand over every stream still open at the end of the capture."""
        for flow in self.flows:
            if flow.segs_ab is not None:
                self.finalize(flow)
