"""Sequences: separators, LCS-based partial credit, exact scoring, sealed elements."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from runner.checkers import registry
from runner.checkers.base import JudgeContext, Key, Status
from runner.checkers.sequence import lcs, split_elements

from .conftest import Judge

PATH = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]


@pytest.mark.parametrize("answer", [
    "10.0.0.1 -> 10.0.0.2 -> 10.0.0.3 -> 10.0.0.4 -> 10.0.0.5",
    "10.0.0.1\n10.0.0.2\n10.0.0.3\n10.0.0.4\n10.0.0.5",
    "10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 010.0.0.5",
    "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5",
    "10.0.0.1 → 10.0.0.2 → 10.0.0.3 → 10.0.0.4 → 10.0.0.5",
    "10.0.0.1 > 10.0.0.2 > 10.0.0.3 > 10.0.0.4 > 10.0.0.5",
])
def test_right_order_in_any_notation(judge: Judge, answer: str) -> None:
    assert judge("sequence", answer, PATH, of="ip").status is Status.CORRECT


@pytest.mark.parametrize(("order", "score"), [
    ([0, 1, 2, 3], 4 / 5),  # one missing
    ([0, 2, 1, 3, 4], 4 / 5),  # two neighbours swapped
    ([4, 3, 2, 1, 0], 1 / 5),  # reversed
    ([0, 1, 2, 3, 4, 0, 1, 2], 5 / 8),  # padded with repeats
    ([], 0.0),
])
def test_credit_is_lcs_over_the_longer_length(judge: Judge, order: list[int], score: float
                                              ) -> None:
    answer = "\n".join(PATH[i] for i in order) or "192.0.2.99"
    assert judge("sequence", answer, PATH, of="ip").score == pytest.approx(score)


def test_exact_scoring_is_all_or_nothing(judge: Judge) -> None:
    assert judge("sequence", "a, b, c", ["a", "b", "c"], scoring="exact").score == 1.0
    assert judge("sequence", "a, c, b", ["a", "b", "c"], scoring="exact").score == 0.0


def test_text_events_keep_their_spaces(judge: Judge) -> None:
    events = ["USER salesxfer", "PASS p@ssw0rd", "STOR file.csv"]
    answer = "user salesxfer -> pass p@ssw0rd -> stor file.csv"
    assert judge("sequence", answer, events).status is Status.CORRECT
    assert split_elements("nmap 7.80", "text") == ["nmap 7.80"]


def test_a_bad_element_is_named(judge: Judge) -> None:
    verdict = judge("sequence", "10.0.0.1 -> router", PATH, of="ip")
    assert verdict.status is Status.INVALID and "Element 2" in verdict.feedback


def test_repeated_expected_elements(judge: Judge) -> None:
    loop = ["a", "b", "a", "c"]
    assert judge("sequence", "a b a c".replace(" ", ","), loop).status is Status.CORRECT
    assert judge("sequence", "a,b,c", loop).score == pytest.approx(3 / 4)


def test_sealed_elements_keep_order_and_partial_credit(seal) -> None:
    checker = registry().get("sequence")
    params = checker.parse_params({"of": "ip"})
    key = Key(sealed=tuple(seal("sequence", v, salt=f"s{i}", of="ip")
                           for i, v in enumerate(PATH)))
    ctx = JudgeContext()
    assert checker.judge("\n".join(PATH), key, params, ctx).status is Status.CORRECT
    assert checker.judge("\n".join(PATH[::-1]), key, params, ctx).score == pytest.approx(1 / 5)


def test_unsuitable_element_types_are_refused() -> None:
    for of in ("set", "record", "frames", "nope"):
        with pytest.raises(ValidationError):
            registry().get("sequence").parse_params({"of": of})


def test_lcs() -> None:
    assert lcs([1, 2, 3, 4], [1, 3, 4, 2]) == 3
    assert lcs([], [1]) == 0
