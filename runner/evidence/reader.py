"""Read packets from pcap and pcapng captures, numbered the way Wireshark numbers them.

Two views of the same walk:

* :func:`iter_packets` yields :class:`Packet` objects (frame number, nanosecond
  timestamp, link type, bytes) for code that wants a tidy record, e.g. matching a
  trainee's exported frames back to the evidence.
* :func:`iter_records` yields bare ``(ts_ns, linktype, data, wirelen)`` tuples
  for the analysis engine's hot loop, where building an object per packet would
  cost more than parsing the packet itself.

Damage is handled the way a careful examiner would: a file that is not a capture
at all raises :class:`~runner.errors.CaptureError`; a file that is damaged part
way (cut short, a lying length field, an unknown block) keeps every packet before
the damage and reports what was wrong through ``on_warning``.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from runner.errors import CaptureError
from runner.evidence.manifest import open_capture
from runner.evidence.pcapng import PCAPNG_MAGIC, iter_pcapng

Warn = Callable[[str], None]
Record = tuple[int, int, bytes, int]
RecordAt = tuple[int, int, bytes, int, int]

# A record claiming more than this is a lying length field, not a packet: Wireshark
# uses the same ceiling (WTAP_MAX_PACKET_SIZE_STANDARD) before calling a file corrupt.
MAX_RECORD = 262_144
_CHUNK = 1 << 20

_PCAP_MAGICS: dict[bytes, tuple[str, int]] = {
    b"\xd4\xc3\xb2\xa1": ("<", 1_000),  # little-endian, microseconds
    b"\xa1\xb2\xc3\xd4": (">", 1_000),
    b"\x4d\x3c\xb2\xa1": ("<", 1),  # little-endian, nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", 1),
}


@dataclass(frozen=True, slots=True)
class Packet:
    """One captured frame.

    Attributes:
        frame: 1-based position in the file (Wireshark's ``frame.number``).
        ts_ns: capture time in nanoseconds since the Unix epoch.
        linktype: LINKTYPE_* value of the interface the frame was captured on.
        data: the captured bytes (shorter than ``wirelen`` when snap-length cut).
        wirelen: the frame's length on the wire.
    """

    frame: int
    ts_ns: int
    linktype: int
    data: bytes
    wirelen: int


def _ignore(_: str) -> None:
    return None


def iter_packets(path: Path, *, on_warning: Warn | None = None) -> Iterator[Packet]:
    """Yield every packet of a pcap or pcapng file in file order.

    Args:
        path: the capture file.
        on_warning: called with a one-line description of each damaged spot
            (the walk carries on, or stops at the damage when it cannot resync).

    Raises:
        CaptureError: the file is missing, unreadable, or not a pcap/pcapng file.
    """
    for frame, (ts_ns, linktype, data, wirelen) in enumerate(
        iter_records(path, on_warning=on_warning), start=1
    ):
        yield Packet(frame, ts_ns, linktype, data, wirelen)


def iter_records(path: Path, *, on_warning: Warn | None = None) -> Iterator[Record]:
    """Yield ``(ts_ns, linktype, data, wirelen)`` per packet; frame n is the n-th tuple.

    Raises:
        CaptureError: the file cannot be read at all.
    """
    for ts, linktype, data, wirelen, _at in iter_records_at(path, on_warning=on_warning):
        yield ts, linktype, data, wirelen


def iter_records_at(path: Path, *, on_warning: Warn | None = None) -> Iterator[RecordAt]:
    """Like :func:`iter_records`, plus the file offset of ``data`` (-1 when not contiguous).

    The offset lets another process read a packet's bytes from the file itself
    instead of being sent them (``pipeline``); pcapng records report -1.

    Raises:
        CaptureError: the file cannot be read at all.
    """
    warn = on_warning or _ignore
    handle = open_capture(path, buffering=0)  # refuses devices and FIFOs before reading
    with handle:
        magic = handle.read(4)
        try:
            if magic in _PCAP_MAGICS:
                yield from _iter_pcap(handle, magic, path, warn)
            elif magic == PCAPNG_MAGIC:
                buffered = io.BufferedReader(cast(io.RawIOBase, handle), 1 << 20)
                for ts, linktype, data, wirelen in iter_pcapng(buffered, path, warn):
                    yield ts, linktype, data, wirelen, -1
            else:
                raise CaptureError(
                    _magic_problem(magic),
                    where=str(path),
                    fix="give a pcap or pcapng file (convert others with editcap -F pcapng)",
                )
        except OSError as exc:
            raise CaptureError(f"read error: {exc}", where=str(path)) from exc


def _magic_problem(magic: bytes) -> str:
    if len(magic) < 4:
        return f"not a capture: file is only {len(magic)} bytes long"
    return f"not a pcap or pcapng file (magic number {magic.hex()})"


def capture_format(path: Path) -> str:
    """Return ``"pcap"`` or ``"pcapng"`` for a readable capture.

    Raises:
        CaptureError: the file is unreadable or has no known magic number.
    """
    try:
        with open_capture(path) as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise CaptureError(f"cannot open capture: {exc.strerror or exc}", where=str(path)) from exc
    if magic in _PCAP_MAGICS:
        return "pcap"
    if magic == PCAPNG_MAGIC:
        return "pcapng"
    raise CaptureError(_magic_problem(magic), where=str(path))


def _iter_pcap(handle: BinaryIO, magic: bytes, path: Path, warn: Warn) -> Iterator[RecordAt]:
    """Walk the records of a classic libpcap file, a few megabytes of records per read."""
    order, ns_per_unit = _PCAP_MAGICS[magic]
    header = _read_full(handle, 20)
    if len(header) < 20:
        raise CaptureError("pcap file header is truncated", where=str(path))
    _major, _minor, _zone, _sigfigs, _snaplen, network = struct.unpack(order + "HHiIII", header)
    # The top bits of the link-type field carry FCS flags (pcap format spec), not the type.
    linktype = network & 0x0FFFFFFF
    unpack = struct.Struct(order + "IIII").unpack_from
    frame = 0
    buf = b""
    base = 24  # file offset of buf[0]
    while True:
        chunk = _read_full(handle, _CHUNK)
        buf = buf + chunk if buf else chunk
        size = len(buf)
        pos = 0
        while pos + 16 <= size:
            sec, frac, caplen, wirelen = unpack(buf, pos)
            if caplen > MAX_RECORD:
                warn(
                    f"record after frame {frame} claims {caplen} bytes (over {MAX_RECORD}); "
                    "rest of the file skipped"
                )
                return
            start = pos + 16
            end = start + caplen
            if end > size:
                break
            frame += 1
            yield (
                sec * 1_000_000_000 + frac * ns_per_unit,
                linktype,
                buf[start:end],
                wirelen,
                base + start,
            )
            pos = end
        buf = buf[pos:]
        base += pos
        if not chunk:
            if len(buf) >= 16:
                warn(f"file cut short in the middle of frame {frame + 1}; that frame was dropped")
            elif buf:
                warn(f"file cut short in a record header after frame {frame}")
            return


def _read_full(handle: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, fewer only at the end of the file (raw reads may return less)."""
    data = handle.read(size)
    if data is None or len(data) == size or not data:
        return data or b""
    parts = [data]
    got = len(data)
    while got < size:
        more = handle.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)
