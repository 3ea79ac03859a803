"""Small conversions shared by analyzers: addresses and times as examiners write them."""

from __future__ import annotations

import socket
import time
from functools import lru_cache

LINKTYPE_NAMES = {
    0: "NULL",
    1: "ETHERNET",
    101: "RAW",
    105: "IEEE802_11",
    108: "LOOP",
    113: "LINUX_SLL",
    127: "IEEE802_11_RADIOTAP",
    228: "IPV4",
    229: "IPV6",
    276: "LINUX_SLL2",
}


@lru_cache(maxsize=65536)
def ip_text(raw: bytes) -> str:
    """4 or 16 address bytes in their usual notation (IPv6 compressed, lower case)."""
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    if len(raw) == 16:
        return socket.inet_ntop(socket.AF_INET6, raw)
    return raw.hex()


@lru_cache(maxsize=65536)
def mac_text(raw: bytes) -> str:
    """6 bytes as ``aa:bb:cc:dd:ee:ff``."""
    return ":".join(f"{b:02x}" for b in raw)


def iso_time(ts_ns: int) -> str:
    """UTC ISO 8601 with nanoseconds, e.g. ``2010-07-04T17:04:16.274870000Z``."""
    sec, frac = divmod(ts_ns, 1_000_000_000)
    return f"{_second(sec)}.{frac:09d}Z"


@lru_cache(maxsize=4096)
def _second(sec: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))


def seconds(ts_ns: int) -> float:
    """Nanoseconds to seconds, rounded to the microsecond for stable JSON."""
    return round(ts_ns / 1e9, 6)


def linktype_name(linktype: int) -> str:
    """``LINKTYPE_*`` name without the prefix, or the number."""
    return LINKTYPE_NAMES.get(linktype, str(linktype))
