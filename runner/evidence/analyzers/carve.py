"""Disk images: file signatures in unallocated space (deleted content a carver finds)."""

from __future__ import annotations

from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.disk.carve import SIGNATURES, scan, scan_gap
from runner.evidence.disk.image import DiskImage, utc
from runner.evidence.disk.walk import walk_volume


@register
class CarveAnalyzer(KindAnalyzer):
    name = "carve"
    version = "1"
    description = "disk images: file signatures at block starts in unallocated space"
    kinds = frozenset({"disk", "ewf"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "signatures": (
            Field("volume", "int", "partition slot of the file system (-1: it fills the "
                  "image), or of the partition-table gap (mmls 'Unallocated') holding it"),
            Field("offset", "int", "byte offset in the image (dd skip=, xxd -s)"),
            Field("block", "int", "TSK block number in the file system (blkcat, blkstat); "
                  "in a gap: the sector"),
            Field("signature", "str", ", ".join(sorted({s[1] for s in SIGNATURES}))),
            Field("description", "str", "what the signature usually starts"),
            Field("deleted_path", "str", "the deleted file whose recovered blocks hold it "
                  "('' when no deleted name points there)"),
        ),
    }

    def setup(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        image: DiskImage = source
        for part in image.partitions:
            if part.flags == "unalloc":
                for hit in scan_gap(image, part.slot, part.start, part.length):
                    self.rows.append({
                        "volume": part.slot, "offset": hit.offset, "block": hit.block,
                        "signature": hit.signature, "description": hit.description,
                        "deleted_path": "",
                    })
        with utc():
            for vol in image.volumes:
                for hit in scan(image, vol, walk_volume(image, vol)):
                    self.rows.append({
                        "volume": vol.index, "offset": hit.offset, "block": hit.block,
                        "signature": hit.signature, "description": hit.description,
                        "deleted_path": hit.deleted_path,
                    })

    def finish(self) -> Tables:
        return {"signatures": sorted(self.rows, key=lambda r: r["offset"])}
