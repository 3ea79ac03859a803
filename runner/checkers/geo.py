"""A place on Earth: latitude and longitude, judged within a distance in metres.

Accepted: decimal degrees (``50.4501, 30.5234``, ``-33.8688 151.2093``), decimal with
hemisphere letters (``50.4501 N, 30.5234 E``, ``N50.4501 E30.5234``), and degrees,
minutes, seconds as exiftool and map tools print them (``50°27'0.36"N 30°31'24.24"E``,
``50 deg 27' 0.36" N, 30 deg 31' 24.24" E``). Latitude comes first. The distance to the
key is the great-circle (haversine) distance on a sphere of the Earth's mean radius,
which is within 0.5 % of the ellipsoid at any distance a task would tolerate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from runner.checkers._common import snippet, token
from runner.checkers.base import (
    Checker,
    CheckerParams,
    InvalidAnswer,
    JudgeContext,
    Key,
    Verdict,
)

HINT = "Write latitude, longitude: 50.4501, 30.5234 or 50°27'0.36\"N 30°31'24.24\"E."
EARTH_RADIUS_M = 6_371_008.8
_NUM = r"[0-9]{1,3}(?:[.,][0-9]{1,12})?"
# One coordinate: an optional sign or leading hemisphere, degrees, optional minutes and
# seconds (with °, deg, ', ", ′, ″ or spaces), an optional trailing hemisphere.
_COORD = (
    r"(?P<{p}lead>[NSEWnsew])?\s*(?P<{p}sign>[-+])?\s*(?P<{p}deg>" + _NUM + r")\s*(?:°|deg|º|d)?\s*"
    r"(?:(?P<{p}min>" + _NUM + r")\s*(?:'|′|m|min)\s*"
    r"(?:(?P<{p}sec>" + _NUM + r")\s*(?:\"|″|''|s|sec)?\s*)?)?(?P<{p}trail>[NSEWnsew])?"
)
_PAIR = re.compile(
    r"\s*" + _COORD.replace("{p}", "a") + r"\s*[,;/\s]\s*" + _COORD.replace("{p}", "b") + r"\s*"
)


class GeoParams(CheckerParams):
    tolerance_m: float = Field(
        50.0, ge=0.0, le=20_000_000.0,
        description="Accept answers within this great-circle distance of the key, in metres.")


def _coord(fields: dict[str, str | None], p: str, axis: str) -> float:
    lead, trail = fields[p + "lead"], fields[p + "trail"]
    if lead and trail:
        raise InvalidAnswer("A coordinate has two hemisphere letters.", HINT)
    hemi = (lead or trail or "").upper()
    if hemi and (hemi in "NS") != (axis == "lat"):
        raise InvalidAnswer(
            "Latitude (N/S) comes first, then longitude (E/W).", HINT)
    if hemi and fields[p + "sign"]:
        raise InvalidAnswer("Use a sign or a hemisphere letter, not both.", HINT)
    minutes, seconds = (float((fields[p + k] or "0").replace(",", ".")) for k in ("min", "sec"))
    if minutes >= 60 or seconds >= 60:
        raise InvalidAnswer("Minutes and seconds run from 0 to 59.", HINT)
    value = float((fields[p + "deg"] or "0").replace(",", ".")) + minutes / 60 + seconds / 3600
    if hemi in ("S", "W") or fields[p + "sign"] == "-":
        value = -value
    limit = 90 if axis == "lat" else 180
    if abs(value) > limit:
        raise InvalidAnswer(f"A {'latitude' if axis == 'lat' else 'longitude'} lies within "
                            f"±{limit}°.", HINT)
    return value


def parse_geo(raw: str) -> tuple[float, float]:
    """``(latitude, longitude)`` in decimal degrees.

    Raises:
        InvalidAnswer: not a latitude/longitude pair.
    """
    text = token(raw, "a position", HINT, max_len=120, spaces=True)
    if re.fullmatch(r"[^,;]*,[^,;]*,[^,;]*,[^,;]*", text):
        # Decimal commas and a separating comma together ("50,45, 30,52"): too ambiguous.
        raise InvalidAnswer("Use a point for decimals when a comma separates the two.", HINT)
    match = _PAIR.fullmatch(text)
    if not match:
        raise InvalidAnswer(f"{snippet(text)} is not a latitude and longitude.", HINT)
    fields = match.groupdict()
    return _coord(fields, "a", "lat"), _coord(fields, "b", "lon")


def canonical(lat: float, lon: float) -> str:
    """Six decimals (about 0.1 m): ``50.450100, 30.523400``."""
    return f"{lat:.6f}, {lon:.6f}".replace("-0.000000", "0.000000")


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two positions, in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def expected_geo(value: Any) -> tuple[float, float]:
    """A key from YAML: ``"lat, lon"`` text, ``[lat, lon]`` or ``{lat: .., lon: ..}``."""
    if isinstance(value, Mapping):
        value = [value.get("lat", value.get("latitude")), value.get("lon", value.get("longitude"))]
    if isinstance(value, list | tuple) and len(value) == 2:
        value = f"{value[0]}, {value[1]}"
    return parse_geo(str(value))


class GeoChecker(Checker):
    name = "geo"
    summary = "A latitude/longitude (decimal or DMS, N/S/E/W), within tolerance_m metres."
    Params = GeoParams
    sealable = False

    def normalize(self, raw: str, params: CheckerParams) -> str:
        return canonical(*parse_geo(raw))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        return canonical(*expected_geo(value))

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, GeoParams)
        try:
            point = parse_geo(answer)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        normalized = canonical(*point)
        for value in key.values:
            try:
                target = expected_geo(value)
            except InvalidAnswer:
                continue
            if haversine_m(point, target) <= params.tolerance_m + 1e-6:
                return Verdict.correct(normalized)
        return Verdict.wrong(normalized)


CHECKER = GeoChecker
