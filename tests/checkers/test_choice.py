"""Multiple-choice answers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize

OPTIONS = ["TCP", "UDP", "ICMP"]


@pytest.mark.parametrize("raw", ["udp", " UDP ", "b", "B", "b)", "(b)", "b.", "2", "2)"])
def test_text_letter_or_number(normalize: Normalize, raw: str) -> None:
    assert normalize("choice", raw, options=OPTIONS) == "UDP"


@pytest.mark.parametrize("raw", ["d", "4", "0", "sctp", ""])
def test_no_such_option_is_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("choice", raw, options=OPTIONS)
    assert "a-c or 1-3" in info.value.hint


def test_option_text_wins_over_its_number(normalize: Normalize) -> None:
    assert normalize("choice", "4", options=[1, 2, 4]) == "4"
    assert normalize("choice", "2", options=[1, 2, 4]) == "2"
    assert normalize("choice", "3)", options=[1, 2, 4]) == "4"


def test_judged_against_the_expected_option(judge: Judge) -> None:
    assert judge("choice", "c", ["ICMP"], options=OPTIONS).status is Status.CORRECT
    assert judge("choice", "a", ["ICMP"], options=OPTIONS).status is Status.WRONG


def test_expected_must_be_an_option_text() -> None:
    checker = registry().get("choice")
    params = checker.parse_params({"options": OPTIONS})
    assert checker.check_expected(("icmp",), params) == []
    problems = checker.check_expected(("b", "SCTP"), params)
    assert len(problems) == 2
    assert "not one of the options" in problems[0]


@pytest.mark.parametrize("options", [[], ["only"], ["a", "A "], ["x", " "]])
def test_bad_option_lists_are_refused(options: list[str]) -> None:
    with pytest.raises(ValidationError):
        registry().get("choice").parse_params({"options": options})
