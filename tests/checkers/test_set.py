"""Unordered sets: separators, duplicates, scoring, penalty, sealed members."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from runner.checkers import registry
from runner.checkers.base import Status
from runner.checkers.set import split_members

from .conftest import Judge, Normalize, Seal

HOSTS = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]


@pytest.mark.parametrize(
    ("raw", "of", "members"),
    [
        ("a, b;c\nd e", "ip", ["a", "b", "c", "d", "e"]),
        ("nmap 7.80\nmasscan", "text", ["nmap 7.80", "masscan"]),
        ("nmap 7.80, masscan", "text", ["nmap 7.80", "masscan"]),
        ("nmap 7.80", "text", ["nmap 7.80"]),
        ("1,234; 5", "number", ["1,234", "5"]),
        ("1 2 3", "integer", ["1", "2", "3"]),
    ],
)
def test_separator_rules(raw: str, of: str, members: list[str]) -> None:
    assert split_members(raw, of) == members


def test_order_notation_and_duplicates_do_not_matter(judge: Judge) -> None:
    answer = "10.0.0.4 010.0.0.3, 10.0.0.2\n10.0.0.1; 10.0.0.1 ::ffff:10.0.0.1"
    verdict = judge("set", answer, HOSTS, of="ip")
    assert verdict.status is Status.CORRECT
    assert verdict.normalized == "\n".join(HOSTS)


def test_proportional_credit_for_a_partial_answer(judge: Judge) -> None:
    verdict = judge("set", "10.0.0.1 10.0.0.2 10.0.0.3", HOSTS, of="ip")
    assert verdict.status is Status.PARTIAL
    assert verdict.score == pytest.approx(0.75)
    assert verdict.feedback == "3 of 4 expected found."


def test_default_penalty_halves_a_member_per_wrong_one(judge: Judge) -> None:
    verdict = judge("set", "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.9", HOSTS, of="ip")
    assert verdict.score == pytest.approx((3 - 0.5) / 4)
    assert verdict.feedback == "3 of 4 expected found, 1 not expected."


def test_listing_everything_does_not_earn_full_credit(judge: Judge) -> None:
    everything = " ".join(f"10.0.0.{i}" for i in range(1, 20))
    assert judge("set", everything, HOSTS, of="ip").score == 0.0


def test_zero_penalty_ignores_wrong_members(judge: Judge) -> None:
    verdict = judge("set", "10.0.0.1 10.0.0.9", HOSTS, of="ip", penalty=0)
    assert verdict.score == pytest.approx(0.25)


def test_all_or_nothing(judge: Judge) -> None:
    assert judge("set", " ".join(HOSTS[:3]), HOSTS, of="ip", scoring="all_or_nothing").score == 0
    verdict = judge("set", " ".join(HOSTS), HOSTS, of="ip", scoring="all_or_nothing")
    assert verdict.status is Status.CORRECT


def test_an_unreadable_member_makes_the_answer_invalid(judge: Judge) -> None:
    verdict = judge("set", "10.0.0.1, 10.0.0.300", HOSTS, of="ip")
    assert verdict.status is Status.INVALID
    assert verdict.feedback.startswith("Member 2 is not a valid ip:")


def test_item_params_reach_the_member_checker(normalize: Normalize) -> None:
    assert normalize("set", "::ffff:10.0.0.1", of="ip", item={"map_v4": False}) == "::ffff:a00:1"


def test_tolerant_members_match_one_to_one(judge: Judge) -> None:
    verdict = judge("set", "1.05; 1.0", [1, 2], of="number", item={"tolerance": 0.1})
    assert verdict.score == pytest.approx((1 - 0.5) / 2)  # two answers, one expected to match


def test_sealed_members_still_earn_partial_credit(judge: Judge, seal: Seal) -> None:
    sealed = tuple(seal("set", host, of="ip") for host in HOSTS)
    verdict = judge("set", "10.0.0.1, 10.0.0.2", sealed=sealed, of="ip")
    assert verdict.score == pytest.approx(0.5)


def test_set_sealable_when_its_members_are() -> None:
    checker = registry().get("set")
    assert checker.is_sealable(checker.parse_params({"of": "ip"}))
    assert not checker.is_sealable(checker.parse_params({"of": "number", "item": {"tolerance": 1}}))
    assert not checker.is_sealable(checker.parse_params({"of": "regex"}))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"of": "ipv4"}, "unknown member type"),
        ({"of": "set"}, "cannot hold"),
        ({"of": "artifact"}, "cannot hold"),
        ({"of": "ip", "item": {"cidr": "maybe"}}, "cidr"),
        ({"of": "ip", "penalty": 2}, "penalty"),
    ],
)
def test_bad_params_are_refused_at_load(params: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        registry().get("set").parse_params(params)


def test_expected_members_checked_at_load() -> None:
    checker = registry().get("set")
    params = checker.parse_params({"of": "ip"})
    problems = checker.check_expected(("10.0.0.1", "10.0.0.01", "nope"), params)
    assert len(problems) == 2
    assert "same member twice" in problems[1]
    # A sealed set has no plain members: that is not a problem (issue 8.2).
    assert checker.check_expected((), params) == []
