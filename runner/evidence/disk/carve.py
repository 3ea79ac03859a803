"""File signatures at the start of unallocated blocks: where a carver (photorec,
foremost) would find deleted content.

Unallocated means: inside the file system's block range and not used by any
allocated file or directory (their data runs, as TSK reports them, plus the root
directory's). File-system metadata that no file owns (FAT tables and the FAT12/16
root area, ext inode tables and bitmaps) is not listed that way, so a hit there is
possible in principle; the tests check every hit against ``blkstat``. Only block
starts are checked: files begin on a cluster boundary.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from runner.evidence.disk.image import TSK_ERRORS, DiskImage, Volume
from runner.evidence.disk.walk import Walked

_READ = 8 << 20  # bytes per read while scanning

# (magic, short name, what it usually is); matched at the first byte of a block.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "jpeg", "JPEG picture"),
    (b"\x89PNG\r\n\x1a\n", "png", "PNG picture"),
    (b"GIF87a", "gif", "GIF picture"),
    (b"GIF89a", "gif", "GIF picture"),
    (b"II*\x00", "tiff", "TIFF picture (or raw camera file)"),
    (b"MM\x00*", "tiff", "TIFF picture (or raw camera file)"),
    (b"%PDF-", "pdf", "PDF document"),
    (b"PK\x03\x04", "zip", "ZIP archive (also DOCX/XLSX/PPTX/ODF/JAR/APK)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2", "OLE2 compound file (DOC/XLS/PPT/MSG)"),
    (b"SQLite format 3\x00", "sqlite", "SQLite database"),
    (b"Rar!\x1a\x07", "rar", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z", "7-Zip archive"),
    (b"\x1f\x8b\x08", "gzip", "gzip stream"),
    (b"\x7fELF", "elf", "ELF executable"),
    (b"ElfFile\x00", "evtx", "Windows event log (EVTX)"),
    (b"regf", "regf", "Windows registry hive"),
    (b"RIFF", "riff", "RIFF container (WAV/AVI/WEBP)"),
    (b"ID3", "mp3", "MP3 audio with ID3 tag"),
)
_BY_PREFIX: dict[bytes, list[tuple[bytes, str, str]]] = {}
for _sig in SIGNATURES:
    _BY_PREFIX.setdefault(_sig[0][:3], []).append(_sig)


@dataclass(frozen=True)
class Hit:
    offset: int  # bytes from the start of the image
    block: int  # TSK block number in the file system
    signature: str
    description: str
    deleted_path: str  # the deleted entry whose recovered runs cover it, or ''


def unallocated(vol: Volume, walked: Walked) -> Iterator[tuple[int, int]]:
    """(first block, count) ranges of the volume no allocated file uses."""
    info = vol.fs.info
    first, last = int(info.first_block), int(info.last_block)
    used = sorted(walked.used)
    at = first
    for start, count in used:
        if start > at:
            yield at, min(start, last + 1) - at
        at = max(at, start + count)
        if at > last:
            return
    if at <= last:
        yield at, last + 1 - at


def scan(image: DiskImage, vol: Volume, walked: Walked) -> list[Hit]:
    """Signatures at block starts in the volume's unallocated space, in offset order."""
    bsize = int(vol.fs.info.block_size)
    owners = sorted(walked.deleted_runs)
    starts = [o[0] for o in owners]
    hits = []
    # A damaged superblock can claim far more blocks than the image holds.
    in_image = max(0, (image.size - vol.offset) // bsize)
    for start, claimed in unallocated(vol, walked):
        count = min(claimed, in_image - start)
        if count <= 0:
            break
        where = f"volume {vol.index}"
        for block, sig in _signatures(image, vol.offset, start, count, bsize, where):
            hits.append(Hit(vol.offset + block * bsize, block, sig[1], sig[2],
                            _owner(owners, starts, block)))
    return hits


def scan_gap(image: DiskImage, slot: int, start: int, length: int) -> list[Hit]:
    """Signatures at sector starts in a gap of the partition table (mmls 'Unallocated')."""
    size = image.sector_size
    count = min(length, max(0, image.size // size - start))
    return [Hit(sector * size, sector, sig[1], sig[2], "")
            for sector, sig in _signatures(image, 0, start, count, size, f"gap {slot}")]


def _signatures(image: DiskImage, base: int, start: int, count: int, bsize: int,
                where: str) -> Iterator[tuple[int, tuple[bytes, str, str]]]:
    """(block, signature) for each block of a range that starts with a known signature."""
    for block, data in _read_blocks(image, base, start, count, bsize, where):
        for sig in _BY_PREFIX.get(bytes(data[:3]), ()):
            if data[: len(sig[0])] == sig[0]:
                yield block, sig
                break


def _read_blocks(image: DiskImage, base: int, start: int, count: int, bsize: int,
                 where: str) -> Iterator[tuple[int, memoryview]]:
    """(block number, first bytes) of each block in a range, read in large pieces."""
    per_read = max(1, _READ // bsize)
    block = start
    end = start + count
    while block < end:
        n = min(per_read, end - block)
        offset = base + block * bsize
        try:
            buf = memoryview(image.img.read(offset, n * bsize))
        except TSK_ERRORS:
            image.warn(f"{image.name}: offset {offset}: unallocated space unreadable "
                       f"({where}, blocks {block}-{block + n - 1}); not scanned")
            block += n
            continue
        for i in range(0, len(buf) - 2, bsize):
            yield block + i // bsize, buf[i : i + 16]
        if len(buf) < n * bsize:
            image.warn(f"{image.name}: offset {offset + len(buf)}: image ends inside "
                       f"{where} (truncated?); the rest is not scanned")
            return
        block += n


def _owner(owners: list[tuple[int, int, str]], starts: list[int], block: int) -> str:
    i = bisect_right(starts, block) - 1
    if i >= 0 and owners[i][0] + owners[i][1] > block:
        return owners[i][2]
    return ""
