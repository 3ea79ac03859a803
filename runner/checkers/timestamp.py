"""Points in time, in any common notation and time zone, compared in UTC.

Accepted: ISO 8601 (``2013-05-14T12:00:00Z``, ``2013-05-14 14:00:00+02:00``,
fractions of a second, basic form ``20130514T120000Z``), Wireshark's
``May 14, 2013 12:00:00.123456789 UTC``, and Unix epoch seconds (9 to 11
digits, optionally with a fraction, as ``frame.time_epoch`` shows them), and
what ``date`` prints (``Sun Jul  4 20:24:16 UTC 2010``, with AM/PM in en_US,
``date -R``), and what forensic tools print: The Sleuth Kit's ``istat``/``fls -l``
(``2024-03-14 09:26:53.123456789 (UTC)``) and ``mactime`` (``Thu Mar 14 2024 09:26:53``),
exiftool (``2024:03:14 09:26:53``, ``2024:03:14 09:26:53+02:00``) and the Windows event
viewer in en-US (``3/14/2024 9:26:53 AM``).
An answer without a zone is read in the task's ``timezone`` (default UTC).
Zone abbreviations other than UTC/GMT/Z (``CEST``, ``EST``) are refused: they
are ambiguous, and a wrong guess would move the answer by hours.

Normalised to UTC ISO at whole seconds (the fraction is cut, not rounded), so
that a sealed key and a tolerance of 0 compare at second precision.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from runner.checkers._common import snippet, token
from runner.checkers.base import (
    Checker,
    CheckerParams,
    InvalidAnswer,
    JudgeContext,
    Key,
    Verdict,
    matches_seal,
)

HINT = "Write e.g. 2013-05-14 12:00:00, 2013-05-14T12:00:00Z, or epoch seconds."
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_ZONE = r"(?P<zone>Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_ISO = re.compile(
    r"(?P<y>[0-9]{4})(?P<sep>[-/:])(?P<mo>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?:T|\s+)"
    r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?\s*" + _ZONE,
    re.IGNORECASE,
)
_BASIC = re.compile(
    r"(?P<y>[0-9]{4})(?P<mo>[0-9]{2})(?P<d>[0-9]{2})T(?P<h>[0-9]{2})(?P<mi>[0-9]{2})(?P<s>[0-9]{2})"
    r"(?:[.,](?P<f>[0-9]{1,9}))?" + _ZONE,
    re.IGNORECASE,
)
_WIRESHARK = re.compile(
    r"(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<d>[0-9]{1,2}),\s*(?P<y>[0-9]{4})\s+"
    r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,9}))?"
    r"(?:\s+(?P<abbr>[A-Za-z][A-Za-z0-9+:-]*))?",
)
# What `date` prints: "Sun Jul  4 20:24:16 UTC 2010" (C locale), "Sun Jul  4 08:24:16 PM UTC
# 2010" (en_US), "Sun 04 Jul 2010 08:24:16 PM UTC", "Sun  4 Jul 20:24:16 UTC 2010" (en_GB), and
# "Sun, 04 Jul 2010 20:24:16 +0000" (date -R).
_DATE_CMD = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?(?:(?P<mon>[A-Za-z]{3})\s+(?P<d>[0-9]{1,2})|"
    r"(?P<d2>[0-9]{1,2})\s+(?P<mon2>[A-Za-z]{3}))\s+(?:(?P<y>[0-9]{4})\s+)?"
    r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?"
    r"(?:\s*(?P<ampm>[AaPp][Mm]))?(?:\s+(?P<abbr>[A-Za-z]{1,5}|[+-][0-9]{2}:?[0-9]{2}))?"
    r"(?:\s+(?P<y2>[0-9]{4}))?"
)
# The Windows event viewer (en-US): month first, 12-hour clock with AM/PM.
_EVENTVIEWER = re.compile(
    r"(?P<mo>[0-9]{1,2})/(?P<d>[0-9]{1,2})/(?P<y>[0-9]{4})\s+"
    r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?\s*(?P<ampm>[AaPp][Mm])"
)
# The Sleuth Kit ends a time with its zone in parentheses: "2024-03-14 09:26:53 (UTC)".
_PAREN_ZONE = re.compile(r"(?P<time>.*?\S)\s*\((?P<zone>[^()]{1,8})\)")
_EPOCH = re.compile(r"(?P<sec>[0-9]{9,11})(?:[.,](?P<f>[0-9]{1,9}))?")
_OFFSET = re.compile(r"(?P<sign>[+-])(?P<h>[0-9]{2}):?(?P<m>[0-9]{2})?")


class TimestampParams(CheckerParams):
    timezone: str = Field(
        "UTC",
        description="Zone for answers that name none: an IANA name (Europe/Kyiv) or +02:00.",
    )
    tolerance_seconds: float = Field(
        0.0, ge=0.0, description="Accept answers this many seconds before or after the key."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone_of(value)
        return value


def zone_of(name: str) -> tzinfo:
    """The tzinfo for ``UTC``, ``Z``, an offset like ``+02:00``, or an IANA name.

    Raises:
        ValueError: an unknown zone.
    """
    text = name.strip()
    if text.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    offset = _OFFSET.fullmatch(text)
    if offset:
        minutes = int(offset.group("h")) * 60 + int(offset.group("m") or 0)
        if minutes >= 24 * 60:
            raise ValueError(f"offset '{name}' is more than a day")
        sign = -1 if offset.group("sign") == "-" else 1
        return timezone(sign * timedelta(minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}' (use e.g. Europe/Kyiv or +02:00)") from None


def _build(fields: dict[str, str | None], month: int, zone: tzinfo) -> datetime:
    fraction = (fields.get("f") or "").ljust(6, "0")[:6]
    try:
        naive = datetime(
            int(fields["y"] or 0), month, int(fields["d"] or 0),
            int(fields["h"] or 0), int(fields["mi"] or 0), int(fields.get("s") or 0), int(fraction),
        )  # fmt: skip
        return naive.replace(tzinfo=zone).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidAnswer("That date or time does not exist.", HINT) from None


def _answer_zone(label: str | None, default: tzinfo) -> tzinfo:
    if not label:
        return default
    try:
        return zone_of(label)
    except ValueError:
        raise InvalidAnswer(
            f"The time zone {snippet(label)} is ambiguous.", "Use UTC or an offset such as +02:00."
        ) from None


def _epoch(match: re.Match[str]) -> datetime:
    fraction = (match.group("f") or "").ljust(6, "0")[:6]
    return datetime.fromtimestamp(int(match.group("sec")), UTC) + timedelta(
        microseconds=int(fraction)
    )


def parse_time(raw: str, default_zone: tzinfo) -> datetime:
    """An aware UTC datetime (microsecond precision) from a trainee's answer.

    Raises:
        InvalidAnswer: not a point in time in an accepted notation.
    """
    text = token(raw, "a timestamp", HINT, max_len=80, spaces=True)
    paren = _PAREN_ZONE.fullmatch(text)
    if paren:
        text, default_zone = paren.group("time"), _answer_zone(paren.group("zone"), default_zone)
    for pattern in (_ISO, _BASIC):
        match = pattern.fullmatch(text)
        if match:
            zone = _answer_zone(match.group("zone"), default_zone)
            return _build(match.groupdict(), int(match.group("mo")), zone)
    match = _WIRESHARK.fullmatch(text)
    if match and match.group("mon").lower() in _MONTHS:
        zone = _answer_zone(match.group("abbr"), default_zone)
        return _build(match.groupdict(), _MONTHS[match.group("mon").lower()], zone)
    match = _DATE_CMD.fullmatch(text)
    if match:
        return _date_cmd(match, default_zone)
    match = _EVENTVIEWER.fullmatch(text)
    if match:
        fields = match.groupdict()
        fields["h"] = _twelve_hour(fields["h"], fields["ampm"])
        return _build(fields, int(match.group("mo")), default_zone)
    match = _EPOCH.fullmatch(text)
    if match:
        return _epoch(match)
    if re.fullmatch(r"[0-9]{12,19}(?:\.[0-9]*)?", text):
        raise InvalidAnswer(
            "That number is too large for epoch seconds.",
            "Milliseconds? Divide by 1000 (move the decimal point).",
        )
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise InvalidAnswer(
            "A date alone is not a point in time.", "Add the time: 2013-05-14 12:00:00."
        )
    raise InvalidAnswer(f"{snippet(text)} is not a timestamp.", HINT)


def _date_cmd(match: re.Match[str], default_zone: tzinfo) -> datetime:
    """A time as the ``date`` command prints it (see ``_DATE_CMD``)."""
    fields = match.groupdict()
    month = _MONTHS.get((fields["mon"] or fields["mon2"] or "").lower())
    if month is None or bool(fields["y"]) == bool(fields["y2"]):
        raise InvalidAnswer(f"{snippet(match.group(0))} is not a timestamp.", HINT)
    fields["d"] = fields["d"] or fields["d2"]
    fields["y"] = fields["y"] or fields["y2"]
    if fields["ampm"]:
        fields["h"] = _twelve_hour(fields["h"], fields["ampm"])
    return _build(fields, month, _answer_zone(fields["abbr"], default_zone))


def _twelve_hour(hour_text: str | None, ampm: str | None) -> str:
    """The 24-hour hour of a 12-hour clock reading."""
    hour = int(hour_text or 0)
    if not 1 <= hour <= 12:
        raise InvalidAnswer("With AM/PM the hour runs from 1 to 12.", HINT)
    return str(hour % 12 + (12 if (ampm or "").lower() == "pm" else 0))


def canonical(moment: datetime) -> str:
    """UTC ISO 8601 at whole seconds (fraction cut): ``2013-05-14T12:00:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def expected_time(value: Any, default_zone: tzinfo) -> datetime:
    """An expected value from YAML: a string, epoch number, datetime or date.

    Raises:
        InvalidAnswer: not a point in time.
    """
    if isinstance(value, bool):
        raise InvalidAnswer("a yes/no value is not a timestamp")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidAnswer("the epoch value is out of range") from None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=default_zone)).astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=default_zone).astimezone(UTC)
    return parse_time(str(value), default_zone)


class TimestampChecker(Checker):
    name = "timestamp"
    summary = "A point in time (ISO, Wireshark, epoch, TSK, exiftool, event viewer); tolerance."
    Params = TimestampParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, TimestampParams)
        return canonical(parse_time(raw, zone_of(params.timezone)))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        assert isinstance(params, TimestampParams)
        return canonical(expected_time(value, zone_of(params.timezone)))

    def is_sealable(self, params: CheckerParams) -> bool:
        assert isinstance(params, TimestampParams)
        return params.tolerance_seconds == 0

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, TimestampParams)
        if params.tolerance_seconds == 0:
            return super().judge(answer, key, params, ctx)
        zone = zone_of(params.timezone)
        try:
            moment = parse_time(answer, zone)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        normalized = canonical(moment)
        for value in key.values:
            try:
                target = expected_time(value, zone)
            except InvalidAnswer:
                continue
            if abs((moment - target).total_seconds()) <= params.tolerance_seconds + 1e-6:
                return Verdict.correct(normalized)
        if any(matches_seal(normalized, s) for s in key.sealed):
            return Verdict.correct(normalized)
        return Verdict.wrong(normalized)


CHECKER = TimestampChecker
