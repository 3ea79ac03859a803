"""Disk images: partitions, file systems, and every file and directory (deleted too)."""

from __future__ import annotations

from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.disk.image import DiskImage, utc
from runner.evidence.disk.labels import cluster_size, label_and_serial
from runner.evidence.disk.walk import walk_volume

_VOLUME = Field("volume", "int", "partition slot (as mmls numbers it), -1 for a file system "
                "filling the whole image")
_TIME = "UTC, ISO 8601 with nanoseconds; '' when not stored (FAT/exFAT: local time, see docs)"


@register
class DiskAnalyzer(KindAnalyzer):
    name = "disk"
    version = "1"
    description = "disk images: partitions, file systems, every file and directory (deleted too)"
    kinds = frozenset({"disk", "ewf"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "partitions": (
            Field("slot", "int", "row of the volume system, as mmls numbers it"),
            Field("table", "str", "partition table type: dos (MBR) or gpt"),
            Field("start", "int", "first sector"),
            Field("length", "int", "length in sectors"),
            Field("offset", "int", "first byte in the image"),
            Field("size", "int", "length in bytes"),
            Field("description", "str", "type as mmls shows it, e.g. 'NTFS / exFAT (0x07)', "
                  "'Unallocated', 'Primary Table (#0)'"),
            Field("flags", "str", "alloc (a partition), unalloc (a gap) or meta (the table)"),
            Field("fs_type", "str", "file system found in it ('' if none)"),
        ),
        "volumes": (
            _VOLUME,
            Field("offset", "int", "first byte of the file system in the image"),
            Field("fs_type", "str", "fat12, fat16, fat32, exfat, ntfs, ext2, ext3, ext4, ..."),
            Field("label", "str", "volume label ('' if none)"),
            Field("serial", "str", "volume serial number (hex), ext: the UUID"),
            Field("cluster_size", "int", "cluster / block size in bytes (what fsstat calls "
                  "Cluster Size or Block Size)"),
            Field("block_size", "int", "size of TSK's block unit in bytes (FAT: a sector; "
                  "blkls/blkcat count in these)"),
            Field("block_count", "int", "blocks in the file system"),
            Field("root_inode", "int", "metadata address of the root directory"),
            Field("last_inode", "int", "highest metadata address"),
            Field("files", "int", "entries listed in disk.files for this volume"),
            Field("deleted", "int", "of which deleted"),
        ),
        "files": (
            _VOLUME,
            Field("path", "str", "full path from the root, as 'fls -r -p' prints it (an NTFS "
                  "named stream as path:stream)"),
            Field("name", "str", "last path component (FAT: a deleted name's first letter "
                  "is '_')"),
            Field("inode", "int", "metadata address (inode, MFT entry, FAT directory entry "
                  "number): give it to icat"),
            Field("attr", "str", "NTFS attribute type-id of this stream (icat INODE-ATTR), "
                  "e.g. 128-1; '' on other file systems"),
            Field("type", "str", "name/metadata type letters as fls prints them: r/r file, "
                  "d/d directory, l/l link, v/v and V/V TSK's virtual entries"),
            Field("dir", "bool", "a directory"),
            Field("allocated", "bool", "the name is allocated (a live file)"),
            Field("deleted", "bool", "the name is unallocated (fls marks it *)"),
            Field("realloc", "bool", "deleted name whose metadata now belongs to another file"),
            Field("size", "int", "size in bytes from the metadata, NTFS: of this stream (0 "
                  "when none)"),
            Field("mtime", "str", f"content modified; {_TIME}"),
            Field("atime", "str", f"accessed; {_TIME}"),
            Field("ctime", "str", f"metadata changed (NTFS: MFT entry modified); {_TIME}"),
            Field("crtime", "str", f"created (born); {_TIME}"),
            Field("sha256", "str", "SHA-256 of the recoverable content, as icat outputs it "
                  "(regular files; '' otherwise or when unreadable)"),
        ),
    }

    def setup(self) -> None:
        self.partitions: list[dict[str, Any]] = []
        self.volumes: list[dict[str, Any]] = []
        self.files: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        image: DiskImage = source
        kinds = {v.index: v.fs_type for v in image.volumes}
        for p in image.partitions:
            self.partitions.append({
                "slot": p.slot, "table": p.table, "start": p.start, "length": p.length,
                "offset": p.start * image.sector_size, "size": p.length * image.sector_size,
                "description": p.description, "flags": p.flags,
                "fs_type": kinds.get(p.slot, "") if p.flags == "alloc" else "",
            })
        with utc():
            for vol in image.volumes:
                walked = walk_volume(image, vol)
                root = [r["path"] for r in walked.rows if "/" not in r["path"]]
                label, serial = label_and_serial(image, vol, root)
                info = vol.fs.info
                self.volumes.append({
                    "volume": vol.index, "offset": vol.offset, "fs_type": vol.fs_type,
                    "label": label, "serial": serial,
                    "cluster_size": cluster_size(image, vol), "block_size": int(info.block_size),
                    "block_count": int(info.block_count), "root_inode": int(info.root_inum),
                    "last_inode": int(info.last_inum), "files": len(walked.rows),
                    "deleted": sum(1 for r in walked.rows if r["deleted"]),
                })
                self.files.extend(walked.rows)

    def finish(self) -> Tables:
        return {"partitions": self.partitions, "volumes": self.volumes, "files": self.files}
