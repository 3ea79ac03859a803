"""The hot loop of the pass: read each frame once, decode it once, route it to the analyzers.

Long on purpose: everything saved here is paid once per packet. Two things make it
cheaper than a call per analyzer per packet:

* **Built-in tallies.** The loop itself keeps the capture totals (frames, bytes,
  first and last time, link types) and the packets and bytes per address pair
  (link-layer pair + IP pair); analyzers that want them (``wants_totals``,
  ``wants_pairs``) read them once at the end instead of being called per packet.
* **A lean lane for the bulk of traffic.** A frame of untagged Ethernet + IPv4
  without options + TCP, on a conversation already open, without SYN or RST, is
  decoded straight into local variables and counted into its flow here, its payload
  kept (or sent to the stream worker) without building the shared :class:`Pkt` —
  when no analyzer asked to see every packet, every IP packet, or TCP by protocol.
  Everything else takes the general lane: :func:`~runner.evidence.decode.decode`
  and the analyzers' hooks. Both lanes give the same result.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from runner.evidence.decode import (
    KNOWN_ETHER,
    PROTO_TCP,
    PROTO_UDP,
    TCP_FIN,
    TCP_RST,
    TCP_SYN,
    Pkt,
    decode,
    layer_name,
)
from runner.evidence.flows import SEGMENT, FlowTable
from runner.evidence.handover import DAMAGE
from runner.evidence.reader import iter_records_at

if TYPE_CHECKING:
    from runner.evidence.engine import _Routes

Progress = Callable[[int], None]  # bytes of the file consumed so far (approximate)
Pairs = dict[bytes, list[int]]  # address-pair key -> [packets, bytes, first frame]
_PROGRESS_EVERY = 1 << 14
# Ethernet + IPv4 + TCP headers at fixed offsets, one unpack: version/IHL, total length,
# flags/fragment offset, protocol, TCP seq, data offset, flags. The same for Ethernet +
# IPv6 (no extension header) + TCP: payload length, TCP seq, data offset, flags.
_LEAN4 = struct.Struct("!14xBxH2xHxB14xI4xBB").unpack_from
_LEAN6 = struct.Struct("!18xH38xI4xBB").unpack_from
_SYN_RST = TCP_SYN | TCP_RST


@dataclass
class Totals:
    """The capture as a whole, tallied by the loop (see ``Analyzer.on_totals``)."""

    packets: int = 0
    bytes: int = 0
    first_ts: int = 0
    last_ts: int = 0
    linktypes: dict[int, int] = field(default_factory=dict)  # link type -> first frame


def pair_key(p: Pkt) -> bytes:
    """The address-pair key of a decoded frame: the 12 MAC bytes (destination, source)
    when there is an Ethernet header, then source and destination IP when there is IP.

    The length tells the parts apart: 0, 12 (MACs), 8/32 (IPv4/IPv6), 20/44 (both).
    """
    l2 = p.l2
    macs = p.data[l2 : l2 + 12] if l2 >= 0 else b""
    return macs + p.src + p.dst if p.ipv else macs


def _pair_tally(pairs: Pairs, pair: bytes, frame: int) -> list[int]:
    """The tally of an address pair, new (first seen at ``frame``) if need be."""
    tally = pairs.get(pair)
    if tally is None:
        tally = pairs[pair] = [0, 0, frame]
    return tally


def run(  # noqa: PLR0915 - one loop, on purpose
    path: Path,
    routes: _Routes,
    table: FlowTable,
    warn: Callable[[str], None],
    progress: Progress | None,
    totals: Totals,
    pairs: Pairs | None,
) -> int:
    """Walk the capture; return the number of frames."""
    p = Pkt()
    frame = consumed = size_sum = 0
    ts = 0
    linktypes = totals.linktypes
    records, ip_hooks, wifi_hooks, frags = routes.records, routes.ip, routes.wifi, routes.frags
    ether, protos, udp, control = routes.ether, routes.proto, routes.udp, routes.control
    everything = routes.all
    want_udp_flows = bool(routes.flows)
    tcp, udp_flow = table.tcp, table.udp
    live = table.live_tcp
    finalize = table.finalize
    sink = table.sink
    segments = sink.segments if sink is not None else bytearray()
    segments_limit = sink.segments_limit if sink is not None else 0
    pack = SEGMENT.pack
    undecoded: dict[tuple[int, int], int] = {}  # (link type, ether type or -1) -> frames
    lean = not everything and not ip_hooks and PROTO_TCP not in protos
    count_pairs = pairs is not None
    for ts, linktype, data, wirelen, at in iter_records_at(path, on_warning=warn):
        frame += 1
        size_sum += wirelen
        if linktype not in linktypes:
            linktypes[linktype] = frame
            if frame == 1:
                totals.first_ts = ts
        if records:
            for count in records:
                count(frame, ts, linktype, wirelen)
        if progress is not None:
            consumed += len(data) + 16
            if not frame % _PROGRESS_EVERY:
                progress(consumed)
        if lean and linktype == 1 and len(data) >= 54:
            key = b""
            if data[12] == 8 and data[13] == 0:
                vihl, total, frag, proto, seq, doff, flags = _LEAN4(data)
                end = 14 + total
                end = len(data) if end > len(data) else end
                if (
                    vihl == 0x45
                    and proto == PROTO_TCP
                    and total >= 20
                    and not frag & 0x3FFF
                    and end >= 54
                    and not flags & _SYN_RST
                ):
                    key = data[26:38]
                    pl = 34 + (doff >> 4) * 4
            elif (
                data[12] == 0x86 and data[13] == 0xDD and data[20] == PROTO_TCP and len(data) >= 74
            ):
                total, seq, doff, flags = _LEAN6(data)
                end = 54 + total if total else len(data)
                end = len(data) if end > len(data) else end
                if end >= 74 and not flags & _SYN_RST:
                    key = data[22:58]
                    pl = 54 + (doff >> 4) * 4
            if key:
                flow = live.get(key)
                pl = end if pl > end else pl
                if flow is not None and (end <= pl or flow.sniffed):
                    flow.last_frame = frame
                    flow.last_ts = ts
                    forward = key == flow.key
                    if forward:
                        flow.pkts_ab += 1
                        flow.bytes_ab += wirelen
                        flow.flags_ab |= flags
                    else:
                        flow.pkts_ba += 1
                        flow.bytes_ba += wirelen
                        flow.flags_ba |= flags
                    if count_pairs:
                        # A direction's address pair is its MACs plus its key's addresses:
                        # the flow remembers the last MACs and their tally, so the pairs
                        # table is looked up only when they change (or the first time).
                        macs = data[0:12]
                        if forward:
                            if macs == flow.macs_ab:
                                tally = flow.tally_ab
                            else:
                                tally = _pair_tally(pairs, macs + key[:-4], frame)  # type: ignore[arg-type]
                                flow.macs_ab, flow.tally_ab = macs, tally
                        elif macs == flow.macs_ba:
                            tally = flow.tally_ba
                        else:
                            tally = _pair_tally(pairs, macs + key[:-4], frame)  # type: ignore[arg-type]
                            flow.macs_ba, flow.tally_ba = macs, tally
                        tally[0] += 1  # type: ignore[index]
                        tally[1] += wirelen  # type: ignore[index]
                    if end > pl and flow.limit:
                        segs = flow.segs_ab if forward else flow.segs_ba
                        kept = flow.kept_ab if forward else flow.kept_ba
                        if segs is not None and kept < flow.limit:
                            if flow.consumers:
                                segs.append((seq, frame, ts, data[pl:end]))
                            if flow.remote and sink is not None:
                                if at >= 0:
                                    segments += pack(
                                        flow.index, forward, seq, frame, ts, at + pl, end - pl
                                    )
                                    if len(segments) >= segments_limit:
                                        sink.flush()
                                else:
                                    sink.segment(
                                        flow.index, forward, seq, frame, ts, data[pl:end], end - pl
                                    )
                            if forward:
                                flow.kept_ab = kept + end - pl
                            else:
                                flow.kept_ba = kept + end - pl
                    if flags & TCP_FIN and flow.segs_ab is not None and flow.closed:
                        finalize(flow)
                    continue
        p.frame, p.ts, p.wirelen, p.off = frame, ts, wirelen, at
        try:
            decode(p, data, linktype)
            if p.damaged:
                warn(f"frame {frame}: {p.damaged}")
            if count_pairs:
                l2 = p.l2
                pair = data[l2 : l2 + 12] if l2 >= 0 else b""  # as pair_key(p)
                if p.ipv:
                    pair += p.src + p.dst
                tally = pairs.get(pair)  # type: ignore[union-attr]
                if tally is None:
                    pairs[pair] = [1, wirelen, frame]  # type: ignore[index]
                else:
                    tally[0] += 1
                    tally[1] += wirelen
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
                    if control and p.flags & _SYN_RST:
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
            elif p.wifi < 0 and not p.damaged and p.etype not in KNOWN_ETHER:
                what = (linktype, p.etype if p.l3 >= 0 else -1)
                undecoded[what] = undecoded.get(what, 0) + 1
        except DAMAGE as exc:
            warn(f"frame {frame}: damaged packet skipped ({type(exc).__name__}: {exc})")
    if progress is not None:
        progress(consumed)
    for (link, etype), skipped in undecoded.items():
        warn(f"{skipped} frame(s) {layer_name(link, etype)} not decoded; skipped")
    totals.packets = frame
    totals.bytes = size_sum
    totals.last_ts = ts
    return frame
