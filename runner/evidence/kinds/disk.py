"""Raw disk images: an MBR/GPT partitioned disk, or a bare file system (FAT, exFAT,
NTFS, ext2/3/4), recognised by their on-disk magic, read with The Sleuth Kit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.errors import EvidenceError
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register


def looks_like_disk(head: Head) -> bool:
    """Boot-sector, GPT or superblock magic of a disk or file-system image."""
    return (
        head.at(510, b"\x55\xaa")  # MBR, FAT and NTFS/exFAT boot sectors
        or head.at(512, b"EFI PART") or head.at(4096, b"EFI PART")  # GPT (512/4096 sectors)
        or head.at(3, b"NTFS    ") or head.at(3, b"EXFAT   ")
        or head.at(1080, b"\x53\xef")  # ext2/3/4 superblock magic
    )


@register
class DiskKind(EvidenceKind):
    name = "disk"
    description = "raw disk image: MBR/GPT partitions or a bare FAT, exFAT, NTFS, ext file system"
    priority = 80  # a loose structure test: after every kind with a real magic number

    def probe(self, head: Head) -> bool:
        return looks_like_disk(head)

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        from runner.evidence.disk.image import TSK_ERRORS, open_raw

        try:
            image = open_raw(path, warn)
        except TSK_ERRORS as exc:
            raise EvidenceError(f"cannot open as a disk image: {exc}", where=str(path)) from None
        try:
            yield image
        finally:
            image.img.close()
