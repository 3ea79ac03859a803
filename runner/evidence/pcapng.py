"""Walk the packet blocks of a pcapng file (several interfaces, any timestamp resolution).

Only blocks that carry packets are numbered, exactly as Wireshark numbers them;
interface descriptions are kept per section because each section restarts the
interface list. Blocks dflab does not need (name resolution, statistics, custom)
are skipped quietly; block types nobody knows are skipped with a warning, since a
tampered or exotic file is something the examiner should hear about.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from runner.errors import CaptureError

PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
Warn = Callable[[str], None]
Record = tuple[int, int, bytes, int]

_SHB, _IDB, _PB, _SPB, _EPB = 0x0A0D0D0A, 1, 2, 3, 6
# The last instant a UTC date can show (9999-12-31T23:59:59.999999999Z).
MAX_TS_NS = 253_402_300_800 * 1_000_000_000 - 1
# Name resolution, statistics, systemd journal, decryption secrets, custom blocks,
# and the experimental process/ARINC blocks: known, carry no packets.
_QUIET = {4, 5, 7, 8, 9, 0x0A, 0x0B, 0x0C, 0x80000001, 0x00000BAD, 0x40000BAD}
_MAX_BLOCK = 16 * 1024 * 1024
_OPT_TSRESOL, _OPT_TSOFFSET = 9, 14


@dataclass(slots=True)
class _Iface:
    linktype: int
    snaplen: int
    num: int  # ts_ns = units * num // den + offset_ns
    den: int
    offset_ns: int


def iter_pcapng(handle: BinaryIO, path: Path, warn: Warn) -> Iterator[Record]:
    """Yield ``(ts_ns, linktype, data, wirelen)`` for each packet block.

    ``handle`` is positioned just after the first 4 bytes (the SHB type).

    Raises:
        CaptureError: the first section header is unreadable.
    """
    order = _read_shb_order(handle, path)
    ifaces: list[_Iface] = []
    frame = 0
    while True:
        head = handle.read(8)
        if len(head) < 8:
            if head:
                warn(f"file cut short in a block header after frame {frame}")
            return
        raw_type = head[:4]
        if raw_type == PCAPNG_MAGIC:
            new_order = _shb_order_from(head, handle, path, frame, warn)
            if new_order is None:
                return
            order, ifaces = new_order, []
            continue
        btype, blen = struct.unpack(order + "II", head)
        if blen < 12 or blen % 4 or blen > _MAX_BLOCK:
            warn(f"block after frame {frame} has a bad length ({blen}); rest of the file skipped")
            return
        body = handle.read(blen - 8)
        if len(body) < blen - 8:
            warn(f"file cut short in the middle of a block after frame {frame}")
            return
        body = body[:-4]  # trailing copy of the block length
        if btype in (_EPB, _PB, _SPB):
            rec = _packet(btype, body, order, ifaces, frame=frame, warn=warn)
            if rec is not None:
                frame += 1
                yield rec
        elif btype == _IDB:
            iface = _parse_idb(body, order)
            if iface is None:
                warn(f"interface description after frame {frame} is damaged; assumed Ethernet")
                iface = _Iface(1, 0, 1000, 1, 0)
            ifaces.append(iface)
        elif btype not in _QUIET:
            warn(f"skipped unknown pcapng block type 0x{btype:08x} after frame {frame}")


def _read_shb_order(handle: BinaryIO, path: Path) -> str:
    rest = handle.read(8)  # total length, byte-order magic
    if len(rest) < 8:
        raise CaptureError("pcapng section header is truncated", where=str(path))
    order = _bom_order(rest[4:8])
    if order is None:
        raise CaptureError(f"pcapng byte-order magic is wrong ({rest[4:8].hex()})", where=str(path))
    (blen,) = struct.unpack(order + "I", rest[:4])
    if blen < 28 or blen % 4 or blen > _MAX_BLOCK:
        raise CaptureError(f"pcapng section header has a bad length ({blen})", where=str(path))
    skipped = handle.read(blen - 12)
    if len(skipped) < blen - 12:
        raise CaptureError("pcapng section header is truncated", where=str(path))
    return order


def _shb_order_from(
    head: bytes, handle: BinaryIO, path: Path, frame: int, warn: Warn
) -> str | None:
    """Parse a later section header whose first 8 bytes were already read."""
    bom = handle.read(4)
    order = _bom_order(bom)
    if order is None:
        warn(f"section header after frame {frame} is damaged; rest of the file skipped")
        return None
    (blen,) = struct.unpack(order + "I", head[4:8])
    if blen < 28 or blen % 4 or blen > _MAX_BLOCK:
        warn(f"section header after frame {frame} has a bad length; rest of the file skipped")
        return None
    if len(handle.read(blen - 12)) < blen - 12:
        warn(f"file cut short in a section header after frame {frame}")
        return None
    return order


def _bom_order(bom: bytes) -> str | None:
    if bom == b"\x4d\x3c\x2b\x1a":
        return "<"
    if bom == b"\x1a\x2b\x3c\x4d":
        return ">"
    return None


def _packet(
    btype: int, body: bytes, order: str, ifaces: list[_Iface], *, frame: int, warn: Warn
) -> Record | None:
    """Decode an enhanced, simple or obsolete packet block; None (with a warning) if damaged."""
    if btype == _SPB:
        if len(body) < 4 or not ifaces:
            warn(f"simple packet block after frame {frame} is damaged; skipped")
            return None
        (wirelen,) = struct.unpack_from(order + "I", body)
        iface = ifaces[0]
        caplen = min(wirelen, len(body) - 4)
        if iface.snaplen:
            caplen = min(caplen, iface.snaplen)
        # A simple packet block has no timestamp; Wireshark shows the epoch too.
        return 0, iface.linktype, body[4 : 4 + caplen], wirelen
    if btype == _EPB:
        if len(body) < 20:
            warn(f"packet block after frame {frame} is too short; skipped")
            return None
        ifid, hi, lo, caplen, wirelen = struct.unpack_from(order + "IIIII", body)
        start = 20
    else:
        if len(body) < 20:
            warn(f"packet block after frame {frame} is too short; skipped")
            return None
        ifid, _drops, hi, lo, caplen, wirelen = struct.unpack_from(order + "HHIIII", body)
        start = 20
    if ifid >= len(ifaces):
        warn(f"frame {frame + 1} names interface {ifid}, which was never described; skipped")
        return None
    if caplen > len(body) - start:
        warn(f"frame {frame + 1} claims {caplen} captured bytes but its block is shorter; cut")
        caplen = len(body) - start
    iface = ifaces[ifid]
    units = (hi << 32) | lo
    ts_ns = units * iface.num // iface.den + iface.offset_ns
    if not 0 <= ts_ns <= MAX_TS_NS:
        # e.g. if_tsresol 0x80 (whole seconds) with a nanosecond count: no calendar date
        warn(
            f"frame {frame + 1}: timestamp is out of range (after year 9999 or before 1970); "
            "shown as 1970-01-01"
        )
        ts_ns = 0
    return ts_ns, iface.linktype, body[start : start + caplen], wirelen


def _parse_idb(body: bytes, order: str) -> _Iface | None:
    if len(body) < 8:
        return None
    linktype, _reserved, snaplen = struct.unpack_from(order + "HHI", body)
    num, den, offset_ns = 1000, 1, 0  # default resolution: microseconds
    pos = 8
    while pos + 4 <= len(body):
        code, olen = struct.unpack_from(order + "HH", body, pos)
        value = body[pos + 4 : pos + 4 + olen]
        if code == 0:
            break
        if code == _OPT_TSRESOL and olen >= 1:
            num, den = _resolution(value[0])
        elif code == _OPT_TSOFFSET and olen >= 8:
            offset_ns = struct.unpack(order + "q", value[:8])[0] * 1_000_000_000
        pos += 4 + olen + (-olen % 4)
    return _Iface(linktype, snaplen, num, den, offset_ns)


def _resolution(code: int) -> tuple[int, int]:
    """Turn if_tsresol into a fraction: nanoseconds per timestamp unit = num / den."""
    exponent = code & 0x7F
    if code & 0x80:  # negative power of two
        return 1_000_000_000, 1 << min(exponent, 63)
    exponent = min(exponent, 30)
    if exponent <= 9:
        return 10 ** (9 - exponent), 1
    return 1, 10 ** (exponent - 9)
