"""E01 images: acquisition metadata and hash verification (what ewfinfo/ewfverify show)."""

from __future__ import annotations

from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.disk.image import DiskImage

_HEADERS = (
    ("case_number", "case number"), ("evidence_number", "evidence number"),
    ("description", "description"), ("examiner_name", "examiner name"),
    ("notes", "notes"), ("acquiry_date", "acquisition date as stored (ewfinfo's text)"),
    ("system_date", "system date as stored"),
    ("acquiry_operating_system", "operating system used to acquire"),
    ("acquiry_software_version", "acquisition software version"),
)


@register
class EwfAnalyzer(KindAnalyzer):
    name = "ewf"
    version = "1"
    description = "E01 images: case metadata, media geometry, stored and computed hashes"
    kinds = frozenset({"ewf"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "media": (
            Field("segments", "int", "segment files (.E01, .E02, ...)"),
            Field("media_size", "int", "bytes of the acquired media"),
            Field("bytes_per_sector", "int", "sector size"),
            Field("sectors", "int", "number of sectors"),
            Field("sectors_per_chunk", "int", "sectors per compressed chunk"),
            *(Field(name, "str", doc) for name, doc in _HEADERS),
            Field("stored_md5", "str", "MD5 recorded at acquisition ('' if none)"),
            Field("stored_sha1", "str", "SHA-1 recorded at acquisition ('' if none)"),
            Field("md5", "str", "MD5 of the media as read now"),
            Field("sha256", "str", "SHA-256 of the media as read now"),
            Field("verified", "bool", "the stored MD5 matches (ewfverify SUCCESS)"),
        ),
    }

    def setup(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        image: DiskImage = source
        meta = dict(image.extra.get("ewf", {}))
        headers = meta.pop("headers", {})
        meta.update({name: headers.get(name, "") for name, _ in _HEADERS})
        self.rows.append(meta)

    def finish(self) -> Tables:
        return {"media": self.rows}
