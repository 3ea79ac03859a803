"""Timestamp answers: notations, zones, tolerance, sealing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize, Seal

NOON = "2013-05-14T12:00:00Z"


@pytest.mark.parametrize(
    "raw",
    [
        "2013-05-14T12:00:00Z",
        "2013-05-14 12:00:00",
        "2013-05-14 12:00:00 UTC",
        "2013-05-14t14:00:00+02:00",
        "2013-05-14 14:00:00+0200",
        "2013-05-14 07:00:00-05",
        "2013/05/14 12:00:00.999",
        "2013-05-14T12:00:00,5Z",
        "20130514T120000Z",
        "May 14, 2013 12:00:00.123456789 UTC",
        "May 14, 2013 12:00:00",
        "1368532800",
        "1368532800.75",
    ],
)
def test_notations_of_the_same_second(normalize: Normalize, raw: str) -> None:
    assert normalize("timestamp", raw) == NOON


def test_naive_answer_read_in_the_task_zone(normalize: Normalize) -> None:
    assert normalize("timestamp", "2013-05-14 15:00:00", timezone="Europe/Kyiv") == NOON
    assert normalize("timestamp", "2013-05-14 14:00:00", timezone="+02:00") == NOON


def test_explicit_zone_beats_the_task_zone(normalize: Normalize) -> None:
    assert normalize("timestamp", "2013-05-14T12:00:00Z", timezone="Europe/Kyiv") == NOON


@pytest.mark.parametrize(
    ("raw", "hint_part"),
    [
        ("May 14, 2013 14:00:00 CEST", "offset"),
        ("1368532800000", "Milliseconds"),
        ("2013-05-14", "Add the time"),
        ("2013-02-30 00:00:00", ""),
        ("yesterday", ""),
    ],
)
def test_unusable_answers_are_invalid(normalize: Normalize, raw: str, hint_part: str) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("timestamp", raw)
    assert hint_part in info.value.hint


def test_exact_comparison_is_at_second_precision(judge: Judge) -> None:
    assert judge("timestamp", "2013-05-14 12:00:00.9", [NOON]).status is Status.CORRECT
    assert judge("timestamp", "2013-05-14 12:00:01", [NOON]).status is Status.WRONG


def test_tolerance_in_seconds(judge: Judge) -> None:
    assert judge("timestamp", "12:00:01 no", [NOON], tolerance_seconds=2).status is Status.INVALID
    verdict = judge("timestamp", "2013-05-14 12:00:02", [NOON], tolerance_seconds=2)
    assert verdict.status is Status.CORRECT


def test_tolerance_uses_sub_second_precision(judge: Judge) -> None:
    key = ["2013-05-14 12:00:00.9"]
    verdict = judge("timestamp", "2013-05-14 12:00:01.5", key, tolerance_seconds=0.5)
    assert verdict.status is Status.WRONG


def test_yaml_values_as_keys() -> None:
    checker = registry().get("timestamp")
    params = checker.parse_params({"timezone": "Europe/Kyiv"})
    aware = datetime(2013, 5, 14, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert checker.normalize_expected(aware, params) == NOON
    assert checker.normalize_expected(datetime(2013, 5, 14, 15, 0), params) == NOON
    assert checker.normalize_expected(1368532800, params) == NOON
    assert checker.normalize_expected(date(2013, 5, 14), params) == "2013-05-13T21:00:00Z"
    assert checker.check_expected((True,), params) != []


def test_unknown_zone_is_refused_at_load() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        registry().get("timestamp").parse_params({"timezone": "Mars/Olympus"})


def test_sealable_only_without_tolerance() -> None:
    checker = registry().get("timestamp")
    assert checker.is_sealable(checker.parse_params({}))
    assert not checker.is_sealable(checker.parse_params({"tolerance_seconds": 1}))


def test_sealed_key_at_second_precision(judge: Judge, seal: Seal) -> None:
    sealed = (seal("timestamp", datetime(2013, 5, 14, 12, 0, 0, 500000, tzinfo=UTC)),)
    assert judge("timestamp", "1368532800", sealed=sealed).status is Status.CORRECT


@pytest.mark.parametrize("answer", [
    "2024:03:14 09:26:53",                    # exiftool
    "2024:03:14 11:26:53+02:00",              # exiftool with OffsetTime
    "2024-03-14 09:26:53 (UTC)",              # istat, fls -l
    "2024-03-14 09:26:53.000000000 (UTC)",
    "2024-03-14 11:26:53 (+0200)",
    "Thu Mar 14 2024 09:26:53",               # mactime
    "3/14/2024 9:26:53 AM",                   # Windows event viewer (en-US)
    "03/14/2024 09:26:53 am",
])
def test_forensic_tool_notations_are_read(judge: Judge, answer: str) -> None:
    assert judge("timestamp", answer, "2024-03-14T09:26:53Z").status is Status.CORRECT


def test_event_viewer_pm_and_midnight() -> None:
    from datetime import UTC

    from runner.checkers.timestamp import canonical, parse_time

    assert canonical(parse_time("3/14/2024 9:26:53 PM", UTC)) == "2024-03-14T21:26:53Z"
    assert canonical(parse_time("3/14/2024 12:00:00 AM", UTC)) == "2024-03-14T00:00:00Z"


@pytest.mark.parametrize("answer", ["14/3/2024 9:26:53 AM", "3/14/2024 13:26:53 PM",
                                    "2024-03:14 09:26:53", "2024-03-14 09:26:53 (CEST)"])
def test_misread_forensic_notations_are_invalid(judge: Judge, answer: str) -> None:
    assert judge("timestamp", answer, "2024-03-14T09:26:53Z").status is Status.INVALID
