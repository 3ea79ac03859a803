"""Pin the acquisition clock of an E01 that ``ewfacquire`` wrote.

ewfacquire has no option for its clock: it stamps the acquisition and system dates of
the moment it runs into the ``header2`` and ``header`` sections (zlib-compressed case
tables) and nothing else that varies (EnCase 6 format, one segment: no GUID is written).
So the generator runs the real tool, then rewrites those two dates to the story's
acquisition time, re-compresses the tables and re-chains the sections: every ``next``
offset, every section descriptor's Adler-32, and the table sections' base offset (their
chunk entries are relative to the ``sectors`` section, so the chunks are untouched).
``ewfinfo`` then shows the story's time and ``ewfverify`` still succeeds; the same media
and time give the same bytes.
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path

from runner.errors import DflabError

FILE_HEADER = 13  # "EVF\t\r\n\xff\0", segment number, end of fields
DESCRIPTOR = 76  # type[16], next u64, size u64, padding[40], Adler-32 of the first 72
_TABLES = {b"table", b"table2"}


def pin_acquisition_time(path: Path, when: datetime) -> None:
    """Rewrite the acquisition and system dates of the E01 at ``path`` to ``when`` (UTC).

    Raises:
        DflabError: the file is not a one-segment E01 as ewfacquire writes it (a bug in
            the generator, not in the story).
    """
    data = path.read_bytes()
    if not data.startswith(b"EVF\x09\x0d\x0a\xff\x00"):
        raise DflabError(f"{path.name}: not an E01 written by ewfacquire",
                         fix="report this as a dflab bug with the story and seed")
    out = bytearray(data[:FILE_HEADER])
    sectors_at = 0
    for kind, stored, size in _sections(data, path):
        if kind == b"sectors":
            sectors_at = len(out)
        body = _rewritten(kind, stored, when, sectors_at)
        offset = len(out)
        done = size == 0
        descriptor = bytearray(DESCRIPTOR)
        descriptor[:len(kind)] = kind
        struct.pack_into("<QQ", descriptor, 16, offset if done else offset + DESCRIPTOR
                         + len(body), 0 if done else DESCRIPTOR + len(body))
        struct.pack_into("<I", descriptor, 72, zlib.adler32(bytes(descriptor[:72])))
        out += descriptor + body
    path.write_bytes(bytes(out))


def _sections(data: bytes, path: Path) -> list[tuple[bytes, bytes, int]]:
    """(type, data after the descriptor, size field) of each section, in chain order."""
    found: list[tuple[bytes, bytes, int]] = []
    offset = FILE_HEADER
    while True:
        if offset + DESCRIPTOR > len(data):
            raise DflabError(f"{path.name}: E01 section chain ends early at {offset}",
                             fix="report this as a dflab bug with the story and seed")
        kind = data[offset:offset + 16].rstrip(b"\x00")
        following, size = struct.unpack_from("<QQ", data, offset + 16)
        found.append((kind, data[offset + DESCRIPTOR:offset + size] if size else b"", size))
        if kind in (b"done", b"next") or following <= offset:
            if following not in (offset, len(data)) and kind != b"next":
                raise DflabError(f"{path.name}: unexpected E01 layout after '{kind!r}'",
                                 fix="report this as a dflab bug with the story and seed")
            return found
        offset = following


def _rewritten(kind: bytes, body: bytes, when: datetime, sectors_at: int) -> bytes:
    """A section's data with the dates pinned (header tables) or the chunks' new base
    offset (tables, whose header carries its own Adler-32); other sections unchanged."""
    if kind in (b"header", b"header2"):
        return _restamp(body, kind, when)
    if kind in _TABLES:
        table = bytearray(body)
        struct.pack_into("<Q", table, 8, sectors_at)
        struct.pack_into("<I", table, 20, zlib.adler32(bytes(table[:20])))
        return bytes(table)
    return body


def _restamp(body: bytes, kind: bytes, when: datetime) -> bytes:
    """A header table with its ``m`` (acquired) and ``u`` (system) dates set to ``when``:
    Unix seconds in ``header2`` (UTF-16), "YYYY M D h m s" in ``header`` (ASCII)."""
    raw = zlib.decompress(body)
    wide = kind == b"header2"
    text = raw[2:].decode("utf-16-le") if wide else raw.decode("latin-1")
    stamp = (str(int(when.timestamp())) if wide else
             f"{when.year} {when.month} {when.day} {when.hour} {when.minute} {when.second}")
    lines = text.split("\n")
    keys, values = lines[2].split("\t"), lines[3].split("\t")
    for key in ("m", "u"):
        values[keys.index(key)] = stamp
    lines[3] = "\t".join(values)
    text = "\n".join(lines)
    raw = raw[:2] + text.encode("utf-16-le") if wide else text.encode("latin-1")
    return zlib.compress(raw, 9)
