"""Whole-number answers."""

from __future__ import annotations

import pytest

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("1234", "1234"),
        ("1,234", "1234"),
        ("1 234 567", "1234567"),
        ("0x4d2", "1234"),
        ("0X4D2", "1234"),
        ("0b101", "5"),
        ("0o17", "15"),
        ("-0x10", "-16"),
        ("007", "7"),
        ("+42", "42"),
        ("１２", "12"),
    ],
)
def test_accepted_notations(normalize: Normalize, raw: str, canonical: str) -> None:
    assert normalize("integer", raw) == canonical


@pytest.mark.parametrize("raw", ["12.5", "1e3", "0x", "0b102", "twelve", "1,23", "٣"])
def test_non_integers_are_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("integer", raw)


def test_fraction_hint(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("integer", "12.0")
    assert "fraction" in info.value.hint


def test_hex_answer_matches_decimal_key(judge: Judge) -> None:
    assert judge("integer", "0x1bb", [443]).status is Status.CORRECT


def test_expected_values_from_yaml_types() -> None:
    checker = registry().get("integer")
    params = checker.parse_params({})
    assert checker.normalize_expected(443, params) == "443"
    assert checker.normalize_expected(443.0, params) == "443"
    assert checker.check_expected((True, 1.5), params) != []
