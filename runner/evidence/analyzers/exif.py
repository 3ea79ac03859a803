"""Pictures: camera, original time, GPS position, software and thumbnail from EXIF."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.magic import head_of, picture_format

_SKIP = ("JPEGThumbnail", "TIFFThumbnail", "MakerNote")  # binary blobs, not facts


class _Collect(logging.Handler):
    """exifread reports damaged tags through logging: they become warnings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@register
class ExifAnalyzer(KindAnalyzer):
    name = "exif"
    version = "2"
    description = "pictures: camera, original time, GPS (decimal degrees), software, thumbnail"
    kinds = frozenset({"picture"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "pictures": (
            Field("format", "str", "jpeg, png, tiff or heic (from the magic number)"),
            Field("make", "str", "camera maker (IFD0 Make)"),
            Field("model", "str", "camera model (IFD0 Model)"),
            Field("software", "str", "IFD0 Software: firmware or the program that last saved it"),
            Field("original_time", "str", "DateTimeOriginal as local time of the camera, ISO "
                  "8601 without a zone (EXIF stores none): 2018-04-28T21:23:12"),
            Field("time_offset", "str", "OffsetTimeOriginal (+02:00) when recorded, else ''"),
            Field("modify_time", "str", "IFD0 DateTime (last change), local, ISO 8601"),
            Field("gps", "bool", "a GPS latitude and longitude are present"),
            Field("latitude", "float", "decimal degrees, south negative (None without GPS)"),
            Field("longitude", "float", "decimal degrees, west negative (None without GPS)"),
            Field("position", "str", "'latitude, longitude' in decimal degrees, as maps take "
                  "it ('' without GPS)"),
            Field("altitude", "float", "metres, below sea level negative (None when absent)"),
            Field("gps_time", "str", "GPS date and time stamp, UTC ISO 8601 ('' when absent)"),
            Field("width", "int", "EXIF image width in pixels (-1 when not recorded)"),
            Field("height", "int", "EXIF image height in pixels (-1 when not recorded)"),
            Field("thumbnail", "bool", "an embedded thumbnail is present"),
            Field("thumbnail_size", "int", "its size in bytes (0 when none)"),
            Field("thumbnail_sha256", "str", "its SHA-256 ('' when none)"),
            Field("tags", "int", "EXIF tags read"),
        ),
        "tags": (
            Field("ifd", "str", "Image (IFD0), EXIF, GPS, Thumbnail (IFD1), Interoperability"),
            Field("tag", "str", "tag name as exifread names it (DateTimeOriginal)"),
            Field("value", "str", "printable value"),
        ),
    }

    def setup(self) -> None:
        self.pictures: list[dict[str, Any]] = []
        self.tag_rows: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        path: Path = source
        tags = self._read(path)
        for key, tag in tags.items():
            if key in _SKIP or " " not in key or key.endswith("MakerNote"):
                continue
            ifd, _, name = key.partition(" ")
            self.tag_rows.append({"ifd": ifd, "tag": name, "value": _printable(tag)})
        self.pictures.append(picture_row(picture_format(head_of(path)), tags))

    def _read(self, path: Path) -> dict[str, Any]:
        import exifread

        log = logging.getLogger("exifread")
        handler = _Collect()
        log.addHandler(handler)
        log.propagate, before = False, log.propagate
        try:
            with path.open("rb") as handle:
                tags: dict[str, Any] = exifread.process_file(handle, details=True)
        except Exception as exc:
            self.note(f"exifread cannot read the EXIF block ({type(exc).__name__}: {exc}); "
                      "no EXIF facts (check with exiftool)", where=str(path))
            tags = {}
        finally:
            log.removeHandler(handler)
            log.propagate = before
        for message in dict.fromkeys(handler.messages):
            self.note(message, where=str(path))
        if not tags:
            self._silent_failure(path)
        return tags

    def _silent_failure(self, path: Path) -> None:
        """exifread returns nothing, without a word, for an EXIF block it cannot follow
        (an IFD offset past the end): say so when the file does carry one."""
        head = head_of(path)
        at = head.find(b"Exif\x00\x00")
        if picture_format(head) == "tiff":
            at = 0
        if at >= 0:
            self.note("EXIF block present but unreadable (IFD offsets or counts out of "
                      "range); no EXIF facts", where=str(path), offset=at)

    def finish(self) -> Tables:
        return {"pictures": self.pictures, "tags": self.tag_rows}


def picture_row(fmt: str, tags: dict[str, Any]) -> dict[str, Any]:
    """One row of exif.pictures from exifread's tags."""
    from runner.evidence.artifacts import gps

    thumb = tags.get("JPEGThumbnail") or tags.get("TIFFThumbnail")
    lat, lon = gps.coordinate(tags, "Latitude"), gps.coordinate(tags, "Longitude")
    return {
        "format": fmt, "make": _text(tags, "Image Make"), "model": _text(tags, "Image Model"),
        "software": _text(tags, "Image Software"),
        "original_time": gps.exif_time(_text(tags, "EXIF DateTimeOriginal")),
        "time_offset": _text(tags, "EXIF OffsetTimeOriginal"),
        "modify_time": gps.exif_time(_text(tags, "Image DateTime")),
        "gps": lat is not None and lon is not None, "latitude": lat, "longitude": lon,
        "position": "" if lat is None or lon is None else f"{lat:.6f}, {lon:.6f}",
        "altitude": gps.altitude(tags), "gps_time": gps.gps_time(tags),
        "width": _int(tags, "EXIF ExifImageWidth"), "height": _int(tags, "EXIF ExifImageLength"),
        "thumbnail": isinstance(thumb, bytes) and len(thumb) > 0,
        "thumbnail_size": len(thumb) if isinstance(thumb, bytes) else 0,
        "thumbnail_sha256": hashlib.sha256(thumb).hexdigest() if isinstance(thumb, bytes) else "",
        "tags": sum(1 for k in tags if " " in k),
    }


def _printable(tag: Any) -> str:
    return " ".join(str(getattr(tag, "printable", tag)).split())


def _text(tags: dict[str, Any], key: str) -> str:
    tag = tags.get(key)
    return "" if tag is None else _printable(tag).strip("\x00 ")


def _int(tags: dict[str, Any], key: str) -> int:
    tag = tags.get(key)
    values = getattr(tag, "values", None)
    if isinstance(values, list) and values and isinstance(values[0], int):
        return int(values[0])
    return -1
