"""Reassembled TCP streams: each direction's bytes in sequence order, mapped back to frames.

Retransmitted and overlapping segments keep the first copy seen, as Wireshark's
default does. A gap (bytes the capture never saw) does not end the stream: the bytes
after it are joined on, and the gap's offset is recorded in ``Side.gaps`` so parsers
resynchronise there (a message cut by the gap is incomplete; the next one is whole).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from runner.evidence.flows import Flow, Segment

_MASK = 0xFFFFFFFF
_HALF = 0x80000000


@dataclass
class Side:
    """One direction of a stream.

    Attributes:
        data: the reassembled bytes.
        starts: offset in ``data`` where each kept segment begins (ascending).
        frames: the frame of each kept segment.
        times: the capture time (ns) of each kept segment.
        gap: True when bytes are missing (see ``gaps``).
        gaps: (offset in ``data``, bytes missing there) for each gap, ascending.
        missing: how many bytes are missing in all.
    """

    data: bytes = b""
    starts: list[int] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    gap: bool = False
    gaps: list[tuple[int, int]] = field(default_factory=list)
    missing: int = 0

    def frame_at(self, offset: int) -> int:
        """The frame that carried byte ``offset`` (the last frame for offsets past the end)."""
        if not self.frames:
            return 0
        return self.frames[max(bisect_right(self.starts, offset) - 1, 0)]

    def time_at(self, offset: int) -> int:
        """The capture time (ns) of the frame that carried byte ``offset``."""
        if not self.times:
            return 0
        return self.times[max(bisect_right(self.starts, offset) - 1, 0)]


@dataclass
class Stream:
    """A TCP conversation handed to the analyzers that asked for it.

    Attributes:
        flow: the conversation (addresses as bytes, counters, flags).
        client: bytes sent by the side that opened the connection.
        server: bytes sent back.
        memo: per-stream results shared between analyzers (e.g. parsed HTTP messages).
    """

    flow: Flow
    client: Side
    server: Side
    memo: dict[str, Any] = field(default_factory=dict)


def build_stream(flow: Flow) -> Stream:
    """Reassemble both directions of a flow whose segments were kept."""
    return Stream(
        flow,
        reassemble(flow.segs_ab or [], flow.isn_ab),
        reassemble(flow.segs_ba or [], flow.isn_ba),
    )


def reassemble(segs: list[Segment], isn: int | None) -> Side:
    """Order one direction's segments by sequence number and join them."""
    if not segs:
        return Side()
    base = _base(segs, isn)
    fast = _in_order(segs, base)
    if fast is not None:
        return fast
    ordered = sorted(((seq - base) & _MASK, frame, ts, data) for seq, frame, ts, data in segs)
    side = Side()
    out = bytearray()
    shift = 0  # bytes missing so far: sequence offsets past a gap move back by this much
    for seq_rel, frame, ts, data in ordered:
        if seq_rel >= _HALF:
            continue  # before the stream's start: a stray retransmission of the handshake
        pos = len(out)
        rel = seq_rel - shift
        if rel > pos:  # nobody saw the bytes in between: mark the place, carry on
            side.gap = True
            side.gaps.append((pos, rel - pos))
            side.missing += rel - pos
            shift += rel - pos
            rel = pos
        if rel + len(data) <= pos:
            continue  # retransmission of bytes already placed
        side.starts.append(pos)
        side.frames.append(frame)
        side.times.append(ts)
        out += data[pos - rel :]
    side.data = bytes(out)
    return side


def _in_order(segs: list[Segment], base: int) -> Side | None:
    """The common case, segments captured in order with no overlap: join them directly."""
    pos = 0
    starts = []
    for seq, _frame, _ts, data in segs:
        if (seq - base) & _MASK != pos:
            return None
        starts.append(pos)
        pos += len(data)
    return Side(
        b"".join([seg[3] for seg in segs]),
        starts,
        [seg[1] for seg in segs],
        [seg[2] for seg in segs],
    )


def _base(segs: list[Segment], isn: int | None) -> int:
    """Sequence number of the first payload byte: after the SYN, else the earliest seen."""
    if isn is not None:
        return (isn + 1) & _MASK
    first = segs[0][0]
    earliest = 0
    for seq, _frame, _ts, _data in segs:
        delta = (seq - first) & _MASK
        if delta >= _HALF:
            earliest = min(earliest, delta - (1 << 32))
    return (first + earliest) & _MASK
