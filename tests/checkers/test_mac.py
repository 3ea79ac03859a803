"""MAC address answers."""

from __future__ import annotations

import pytest

from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize


@pytest.mark.parametrize(
    "raw",
    [
        "AA:BB:CC:DD:EE:0F",
        "aa-bb-cc-dd-ee-0f",
        "aabb.ccdd.ee0f",
        "AABBCCDDEE0F",
        "aa bb cc dd ee 0f",
        "aa:bb:cc:dd:ee:f",
    ],
)
def test_every_separator_normalises_the_same(normalize: Normalize, raw: str) -> None:
    assert normalize("mac", raw) == "aa:bb:cc:dd:ee:0f"


@pytest.mark.parametrize("raw", ["aa:bb:cc:dd:ee", "aa:bb-cc:dd:ee:ff", "gg:bb:cc:dd:ee:ff", ""])
def test_malformed_addresses_are_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("mac", raw)


def test_vendor_resolved_name_gets_a_hint(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("mac", "IntelCor_3c:4d:5e")
    assert "Name Resolution" in info.value.hint


def test_cisco_answer_matches_colon_key(judge: Judge) -> None:
    assert judge("mac", "0011.2233.4455", ["00:11:22:33:44:55"]).status is Status.CORRECT
