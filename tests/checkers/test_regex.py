"""Regular-expression answers."""

from __future__ import annotations

from runner.checkers import registry
from runner.checkers.base import Status

from .conftest import Judge


def test_fullmatch_by_default_refuses_a_partial_match(judge: Judge) -> None:
    assert judge("regex", "xnmap", [r"nmap"]).status is Status.WRONG
    assert judge("regex", "nmap", [r"nmap"]).status is Status.CORRECT


def test_search_mode_finds_the_pattern_anywhere(judge: Judge) -> None:
    assert judge("regex", "it was nmap 7", [r"nmap \d"], fullmatch=False).status is Status.CORRECT


def test_ignore_case_flag(judge: Judge) -> None:
    assert judge("regex", "NMAP", [r"nmap"]).status is Status.WRONG
    assert judge("regex", "NMAP", [r"nmap"], ignore_case=True).status is Status.CORRECT


def test_any_of_several_patterns(judge: Judge) -> None:
    assert judge("regex", "zmap", [r"nmap", r"[mz]map"]).status is Status.CORRECT


def test_answer_is_trimmed_before_matching(judge: Judge) -> None:
    assert judge("regex", "  nmap \n", [r"nmap"]).status is Status.CORRECT


def test_huge_answer_is_invalid_not_slow(judge: Judge) -> None:
    assert judge("regex", "a" * 1_000_000, [r"(a+)+b"]).status is Status.INVALID


def test_a_pattern_that_does_not_compile_is_reported_at_load() -> None:
    checker = registry().get("regex")
    problems = checker.check_expected(("(unclosed",), checker.parse_params({}))
    assert len(problems) == 1
    assert "does not compile" in problems[0]


def test_regex_keys_cannot_be_sealed() -> None:
    checker = registry().get("regex")
    assert checker.is_sealable(checker.parse_params({})) is False
