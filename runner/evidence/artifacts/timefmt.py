"""Times as the fact tables write them: UTC ISO 8601 with nanoseconds and a ``Z``.

Every epoch the artifacts use (Unix seconds/milliseconds/microseconds, WebKit/Chrome
microseconds since 1601, Apple seconds or nanoseconds since 2001, Windows FILETIME)
goes through :func:`from_unix_ns`, so one format comes out everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime

_NS = 1_000_000_000
WEBKIT_EPOCH_S = 11_644_473_600  # 1601-01-01 to 1970-01-01
APPLE_EPOCH_S = 978_307_200  # 1970-01-01 to 2001-01-01
# Years outside this range are garbage in a damaged record, not a time worth printing.
_LOW = datetime(1601, 1, 2, tzinfo=UTC).timestamp()
_HIGH = datetime(9999, 1, 1, tzinfo=UTC).timestamp()


def from_unix_ns(ns: int) -> str:
    """Nanoseconds since 1970 as ``2013-10-29T16:56:28.038000000Z`` ('' when absurd)."""
    if not _LOW <= ns / _NS <= _HIGH:
        return ""
    sec, frac = divmod(ns, _NS)
    return datetime.fromtimestamp(sec, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


def from_datetime(value: datetime | None) -> str:
    """An aware datetime in UTC (a naive one is taken as UTC); '' for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    except OverflowError:
        return ""
    return from_unix_ns((delta.days * 86_400 + delta.seconds) * _NS + delta.microseconds * 1000)


def unix_ms(value: object) -> str:
    """Milliseconds since 1970 (Android providers); '' for 0 or not a number."""
    return _scaled(value, 1_000_000, 0)


def unix_s(value: object) -> str:
    """Seconds since 1970; '' for 0 or not a number."""
    return _scaled(value, _NS, 0)


def unix_us(value: object) -> str:
    """Microseconds since 1970 (Firefox PRTime); '' for 0 or not a number."""
    return _scaled(value, 1000, 0)


def webkit_us(value: object) -> str:
    """Microseconds since 1601 (Chrome, WebKit); '' for 0 or not a number."""
    return _scaled(value, 1000, -WEBKIT_EPOCH_S)


def apple(value: object) -> str:
    """Apple absolute time: seconds since 2001, or nanoseconds since 2001 in macOS 10.13
    and later (values above 10^11 cannot be seconds); '' for 0 or not a number."""
    if isinstance(value, int) and abs(value) > 10**11:
        return _scaled(value, 1, APPLE_EPOCH_S)
    return _scaled(value, _NS, APPLE_EPOCH_S)


def _scaled(value: object, to_ns: int, epoch_s: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or value == 0:
        return ""
    return from_unix_ns(int(value * to_ns) + epoch_s * _NS)
