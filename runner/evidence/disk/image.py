"""An opened disk image: its partitions and the file systems The Sleuth Kit finds.

The Sleuth Kit (pytsk3) reads the volume system (DOS/MBR, GPT, ...) and the file
systems (FAT12/16/32, exFAT, NTFS, ext2/3/4, ...); libewf (pyewf) supplies the media
of an E01 image. Everything here is computed once when the image is opened and
shared by the disk analyzers (the file walk too, see :mod:`.walk`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytsk3

Warn = Callable[[str], None]
# What pytsk3 and pyewf raise on unreadable or damaged data (a read callback failing
# inside TSK comes back as RuntimeError); anything else is a bug.
TSK_ERRORS: tuple[type[Exception], ...] = (OSError, RuntimeError)

_FS_NAMES = {
    pytsk3.TSK_FS_TYPE_FAT12: "fat12", pytsk3.TSK_FS_TYPE_FAT16: "fat16",
    pytsk3.TSK_FS_TYPE_FAT32: "fat32", pytsk3.TSK_FS_TYPE_EXFAT: "exfat",
    pytsk3.TSK_FS_TYPE_NTFS: "ntfs", pytsk3.TSK_FS_TYPE_EXT2: "ext2",
    pytsk3.TSK_FS_TYPE_EXT3: "ext3", pytsk3.TSK_FS_TYPE_EXT4: "ext4",
    pytsk3.TSK_FS_TYPE_HFS: "hfs", pytsk3.TSK_FS_TYPE_ISO9660: "iso9660",
    pytsk3.TSK_FS_TYPE_FFS1: "ufs1", pytsk3.TSK_FS_TYPE_FFS1B: "ufs1b",
    pytsk3.TSK_FS_TYPE_FFS2: "ufs2", pytsk3.TSK_FS_TYPE_YAFFS2: "yaffs2",
    pytsk3.TSK_FS_TYPE_APFS: "apfs", pytsk3.TSK_FS_TYPE_SWAP: "swap",
}
_VS_NAMES = {1: "dos", 2: "bsd", 4: "sun", 8: "mac", 16: "gpt"}
_PART_FLAGS = {1: "alloc", 2: "unalloc", 4: "meta"}


@dataclass
class Partition:
    """One row of the volume system, as ``mmls`` lists it (tables, gaps, partitions)."""

    slot: int
    start: int  # sectors
    length: int  # sectors
    description: str
    flags: str  # alloc | unalloc | meta
    table: str  # dos | gpt | ...


@dataclass
class Volume:
    """A file system The Sleuth Kit opened, at ``offset`` bytes into the image."""

    index: int  # partition slot, or -1 for a file system filling the whole image
    offset: int
    fs: Any  # pytsk3.FS_Info
    fs_type: str
    walked: Any = None  # the walk's result, filled once by walk.walk_volume


@dataclass
class DiskImage:
    """The image handle plus what was found in it; closed by the kind's opener."""

    name: str
    img: Any  # pytsk3.Img_Info (raw file, or libewf media through EwfImg)
    size: int
    warn: Warn
    sector_size: int = 512
    partitions: list[Partition] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the E01 metadata


def fs_name(ftype: int) -> str:
    """Short name of a TSK file-system type (``fat32``, ``ntfs``, ``ext4``...)."""
    return _FS_NAMES.get(ftype, f"tsk-{ftype:#x}")


@contextmanager
def utc() -> Iterator[None]:
    """Run with TZ=UTC: TSK converts FAT's zone-less local times with mktime(), so this
    makes them come out as written (as ``fls -z UTC`` shows them). The zone is
    process-wide, so it is only touched when the local zone is not UTC already."""
    if time.localtime().tm_gmtoff == 0 and not time.daylight:
        yield
        return
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def survey(image: DiskImage) -> None:
    """Fill ``partitions`` and ``volumes``: a volume system, else a bare file system."""
    try:
        vs = pytsk3.Volume_Info(image.img)
    except TSK_ERRORS:
        vs = None  # no partition table: a file system may fill the whole image
    if vs is None:
        _open_fs(image, -1, 0, quiet=False)
        return
    image.sector_size = int(vs.info.block_size)
    table = _VS_NAMES.get(int(vs.info.vstype), str(vs.info.vstype))
    for part in vs:
        row = Partition(
            slot=int(part.addr), start=int(part.start), length=int(part.len),
            description=part.desc.decode("utf-8", "replace"),
            flags=_PART_FLAGS.get(int(part.flags), str(part.flags)), table=table,
        )
        image.partitions.append(row)
        if row.flags == "alloc":
            end = (row.start + row.length) * image.sector_size
            truncated = end > image.size
            if truncated:
                image.warn(f"{image.name}: offset {image.size}: partition {row.slot} "
                           f"ends at byte {end}, past the end of the image (truncated?)")
            offset = row.start * image.sector_size
            # A partition without a file system (swap, LVM, empty) is not damage; one
            # that starts like a file system but will not open is.
            quiet = not truncated and not _has_fs_magic(image, offset)
            _open_fs(image, row.slot, offset, quiet=quiet)


def _has_fs_magic(image: DiskImage, offset: int) -> bool:
    from runner.evidence.kinds.base import Head
    from runner.evidence.kinds.disk import looks_like_disk

    try:
        head = image.img.read(offset, 4096)
    except TSK_ERRORS:
        return False
    return looks_like_disk(Head(bytes(head), len(head)))


def _open_fs(image: DiskImage, index: int, offset: int, *, quiet: bool) -> None:
    """Open the file system at ``offset``; a partition without one is not damage."""
    try:
        fs = pytsk3.FS_Info(image.img, offset=offset)
    except TSK_ERRORS as exc:
        if not quiet:
            reason = str(exc).split("error: ")[-1].strip() or "unrecognised"
            what = "no partition table and no" if index < 0 else f"partition {index}: no"
            image.warn(f"{image.name}: offset {offset}: {what} file system The Sleuth Kit "
                       f"can open ({reason})")
        return
    image.volumes.append(Volume(index, offset, fs, fs_name(int(fs.info.ftype))))


def open_raw(path: Path, warn: Warn) -> DiskImage:
    """A raw (dd) image file, surveyed."""
    img = pytsk3.Img_Info(str(path))
    image = DiskImage(Path(path).name, img, int(img.get_size()), warn)
    survey(image)
    return image
