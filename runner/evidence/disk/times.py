"""File-system times as the fact tables show them: UTC ISO 8601 with nanoseconds.

The Sleuth Kit hands every time over as seconds since the Unix epoch plus
nanoseconds. NTFS and ext store UTC, so these are exact. FAT and exFAT store local
wall-clock time (TSK ignores exFAT's optional UTC-offset field): it is shown as
written, labelled UTC (dflab runs TSK with TZ=UTC, like ``fls -z UTC``); the
examiner applies the seized machine's zone. A time of 0 (not stored) is ''.
"""

from __future__ import annotations

import time
from typing import Any


def iso(meta: Any, name: str) -> str:
    """``meta.<name>`` (+ ``<name>_nano``) as ``YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ``, or ''."""
    if meta is None:
        return ""
    seconds = int(getattr(meta, name, 0) or 0)
    if seconds == 0:
        return ""
    nanos = int(getattr(meta, f"{name}_nano", 0) or 0)
    try:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return ""
    return f"{stamp}.{nanos:09d}Z"
