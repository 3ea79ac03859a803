"""Real-number answers and tolerances."""

from __future__ import annotations

import pytest

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize, Seal


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("1234.5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1 234.5", "1234.5"),
        ("1\u00a0234", "1234"),
        ("1_234_567", "1234567"),
        ("1'234", "1234"),
        ("1.2e3", "1200"),
        ("-.5", "-0.5"),
        ("+3.", "3"),
        ("-0", "0"),
        ("1e-07", "1e-07"),
        ("\u22122.5", "-2.5"),
    ],
)
def test_accepted_notations(normalize: Normalize, raw: str, canonical: str) -> None:
    assert normalize("number", raw) == canonical


@pytest.mark.parametrize(
    "raw", ["", "abc", "1,23", "12,34,567", "1e400", "nan", "inf", "0x10", "."]
)
def test_unreadable_numbers_are_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("number", raw)


def test_decimal_comma_is_refused_with_a_dot_hint(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("number", "1,5")
    assert "1.5" in info.value.hint


def test_exact_without_tolerance(judge: Judge) -> None:
    assert judge("number", "0.3", [0.3]).status is Status.CORRECT
    assert judge("number", "0.31", [0.3]).status is Status.WRONG


def test_absolute_tolerance(judge: Judge) -> None:
    assert judge("number", "10.4", [10], tolerance=0.5).status is Status.CORRECT
    assert judge("number", "10.6", [10], tolerance=0.5).status is Status.WRONG


def test_relative_tolerance(judge: Judge) -> None:
    assert judge("number", "1010", [1000], relative=0.01).status is Status.CORRECT
    assert judge("number", "1011", [1000], relative=0.01).status is Status.WRONG


def test_sealed_exact_value(judge: Judge, seal: Seal) -> None:
    sealed = (seal("number", "1,234.50"),)
    assert judge("number", "1234.5", sealed=sealed).status is Status.CORRECT
    assert judge("number", "1234.6", sealed=sealed).status is Status.WRONG


def test_sealable_only_without_tolerance() -> None:
    checker = registry().get("number")
    assert checker.is_sealable(checker.parse_params({}))
    assert not checker.is_sealable(checker.parse_params({"tolerance": 0.1}))
    assert not checker.is_sealable(checker.parse_params({"relative": 0.1}))


def test_yaml_boolean_expected_is_a_load_problem() -> None:
    checker = registry().get("number")
    assert checker.check_expected((True,), checker.parse_params({}))
