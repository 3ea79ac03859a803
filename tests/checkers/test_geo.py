"""The geo type: decimal and DMS positions, judged by haversine distance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.checkers.base import Status
from runner.checkers.geo import canonical, haversine_m, parse_geo

from .conftest import Judge

KYIV = "50.4501, 30.5234"


@pytest.mark.parametrize("answer", [
    "50.4501, 30.5234", "50.4501 30.5234", "50.4501 N, 30.5234 E", "N50.4501 E30.5234",
    "50°27'0.36\"N 30°31'24.24\"E", "50 deg 27' 0.36\" N, 30 deg 31' 24.24\" E",
    "50.4503, 30.5236",  # about 26 m away
])
def test_spellings_of_one_place_are_right(judge: Judge, answer: str) -> None:
    assert judge("geo", answer, KYIV).status is Status.CORRECT


def test_southern_and_western_hemispheres_are_negative(judge: Judge) -> None:
    assert judge("geo", "33°52'7.68\"S 151°12'33.48\"E", "-33.8688, 151.2093").status \
        is Status.CORRECT
    assert judge("geo", "40.7128 N, 74.0060 W", [[40.7128, -74.006]]).status is Status.CORRECT


def test_a_place_beyond_the_tolerance_is_wrong(judge: Judge) -> None:
    assert judge("geo", "50.4601, 30.5234", KYIV).status is Status.WRONG  # 1.1 km
    assert judge("geo", "50.4601, 30.5234", KYIV, tolerance_m=2000).status is Status.CORRECT


def test_expected_as_a_mapping(judge: Judge) -> None:
    assert judge("geo", KYIV, {"lat": 50.4501, "lon": 30.5234}).status is Status.CORRECT


@pytest.mark.parametrize("answer", ["Kyiv", "30.5 E, 50.4 N", "91, 0", "50, 181",
                                    "50°61'0\"N 30°0'0\"E", "N50 S30", "50,45, 30,52"])
def test_unreadable_positions_are_invalid(judge: Judge, answer: str) -> None:
    verdict = judge("geo", answer, KYIV)
    assert verdict.status is Status.INVALID and verdict.feedback


def test_haversine_matches_a_known_distance() -> None:
    # Kyiv to Lviv, about 469 km on the sphere.
    assert abs(haversine_m((50.4501, 30.5234), (49.8397, 24.0297)) - 469_000) < 2_000


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-89.999, 89.999), lon=st.floats(-179.999, 179.999))
def test_dms_and_decimal_spellings_meet(lat: float, lon: float) -> None:
    def dms(value: float, pos: str, neg: str) -> str:
        whole = abs(value)
        deg = int(whole)
        minutes = int((whole - deg) * 60)
        seconds = (whole - deg - minutes / 60) * 3600
        return f"{deg}°{minutes}'{min(seconds, 59.9999):.4f}\"{pos if value >= 0 else neg}"

    point = parse_geo(f"{dms(lat, 'N', 'S')} {dms(lon, 'E', 'W')}")
    assert haversine_m(point, (lat, lon)) < 1.0
    once = canonical(*parse_geo(f"{lat:.9f}, {lon:.9f}"))
    assert canonical(*parse_geo(once)) == once
