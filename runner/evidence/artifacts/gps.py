"""EXIF GPS rationals to decimal degrees and metres, EXIF times to ISO 8601."""

from __future__ import annotations

import math
import re
from typing import Any

_EXIF_TIME = re.compile(r"(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d):(\d\d)")


def _number(value: Any) -> float | None:
    """A rational or integer as a float; None for 0/0 or anything else."""
    try:
        if hasattr(value, "numerator") and hasattr(value, "denominator"):
            if value.denominator == 0:
                return None
            number = float(value.numerator) / float(value.denominator)
        else:
            number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def coordinate(tags: dict[str, Any], axis: str) -> float | None:
    """``Latitude``/``Longitude`` as signed decimal degrees, or None when missing or absurd."""
    tag = tags.get(f"GPS GPS{axis}")
    values = getattr(tag, "values", None)
    if not isinstance(values, list) or not 1 <= len(values) <= 3:
        return None
    parts = [_number(v) for v in values]
    if any(p is None for p in parts):
        return None
    degrees = sum(p / 60**i for i, p in enumerate(parts) if p is not None)
    ref = str(getattr(tags.get(f"GPS GPS{axis}Ref"), "printable", "")).strip().upper()[:1]
    if ref in ("S", "W"):
        degrees = -degrees
    limit = 90 if axis == "Latitude" else 180
    return round(degrees, 7) if abs(degrees) <= limit else None


def altitude(tags: dict[str, Any]) -> float | None:
    """Metres above sea level (negative below), or None."""
    values = getattr(tags.get("GPS GPSAltitude"), "values", None)
    if not isinstance(values, list) or not values:
        return None
    metres = _number(values[0])
    if metres is None:
        return None
    ref = getattr(tags.get("GPS GPSAltitudeRef"), "values", [0])
    below = isinstance(ref, list) and ref[:1] == [1]
    return round(-metres if below and metres else metres, 3)


def gps_time(tags: dict[str, Any]) -> str:
    """GPSDateStamp + GPSTimeStamp as UTC ISO 8601 (GPS time is UTC by definition)."""
    date = str(getattr(tags.get("GPS GPSDate"), "printable", "")).strip()
    stamp = getattr(tags.get("GPS GPSTimeStamp"), "values", None)
    m = re.fullmatch(r"(\d{4}):(\d\d):(\d\d)", date)
    if m is None or not isinstance(stamp, list) or len(stamp) != 3:
        return ""
    parts = [_number(v) for v in stamp]
    if any(p is None for p in parts):
        return ""
    h, mi, s = (int(p or 0) for p in parts)
    return f"{m[1]}-{m[2]}-{m[3]}T{h:02d}:{mi:02d}:{s:02d}Z"


def exif_time(value: str) -> str:
    """``2018:04:28 21:23:12`` as ``2018-04-28T21:23:12`` ('' when not a time)."""
    m = _EXIF_TIME.match(value.strip())
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}" if m else ""
