"""IP address answers: notations, CIDR, `within`, mapped addresses."""

from __future__ import annotations

import pytest

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize, Seal


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("192.0.2.10", "192.0.2.10"),
        (" 192.168.001.010 ", "192.168.1.10"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8::0001", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        ("１９２.０.２.１", "192.0.2.1"),
    ],
)
def test_accepted_notations(normalize: Normalize, raw: str, canonical: str) -> None:
    assert normalize("ip", raw) == canonical


@pytest.mark.parametrize(
    "raw", ["10.1", "167772161", "0x0a.0.0.1", "256.0.0.1", "1.2.3.4.5", "::g", "", "10.0.0.1 x"]
)
def test_ambiguous_or_wrong_notations_are_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("ip", raw)


def test_mapped_address_kept_when_map_v4_is_off(normalize: Normalize) -> None:
    assert normalize("ip", "::ffff:192.0.2.1", map_v4=False) == "::ffff:c000:201"


def test_expanded_v6_answer_matches_compressed_key(judge: Judge) -> None:
    assert judge("ip", "2001:0db8:0000::0001", ["2001:db8::1"]).status is Status.CORRECT


def test_v4_mapped_answer_matches_v4_key(judge: Judge) -> None:
    assert judge("ip", "::ffff:10.0.0.5", ["10.0.0.5"]).status is Status.CORRECT


def test_network_refused_unless_cidr(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("ip", "10.0.0.0/8")
    assert normalize("ip", "10.0.0.0/8", cidr=True) == "10.0.0.0/8"


def test_cidr_host_bits_set_suggests_network(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("ip", "10.0.0.5/8", cidr=True)
    assert "10.0.0.0/8" in info.value.hint


def test_single_host_network_equals_the_address(judge: Judge) -> None:
    assert judge("ip", "10.0.0.5/32", ["10.0.0.5"], cidr=True).status is Status.CORRECT


def test_within_alone_accepts_any_member(judge: Judge) -> None:
    assert judge("ip", "10.9.8.7", within="10.0.0.0/8").status is Status.CORRECT
    assert judge("ip", "11.0.0.1", within="10.0.0.0/8").status is Status.WRONG
    assert judge("ip", "::1", within="10.0.0.0/8").status is Status.WRONG


def test_within_and_expected_both_apply(judge: Judge) -> None:
    assert judge("ip", "10.0.0.5", ["10.0.0.5"], within="10.0.0.0/24").status is Status.CORRECT
    assert judge("ip", "10.0.0.6", ["10.0.0.5"], within="10.0.0.0/24").status is Status.WRONG


def test_cidr_answer_must_fit_inside_within(judge: Judge) -> None:
    assert judge("ip", "10.1.0.0/16", within="10.0.0.0/8", cidr=True).status is Status.CORRECT
    assert judge("ip", "0.0.0.0/0", within="10.0.0.0/8", cidr=True).status is Status.WRONG


def test_within_must_be_a_network() -> None:
    with pytest.raises(ValueError, match="not a network"):
        registry().get("ip").parse_params({"within": "10.0.0.1/8"})


def test_expected_outside_within_is_a_load_problem() -> None:
    checker = registry().get("ip")
    params = checker.parse_params({"within": "10.0.0.0/8"})
    assert checker.check_expected(("192.0.2.1",), params) == [
        "expected value '192.0.2.1' is not within 10.0.0.0/8"
    ]


def test_sealed_key_matches_any_notation(judge: Judge, seal: Seal) -> None:
    sealed = (seal("ip", "2001:db8::1"),)
    assert judge("ip", "2001:DB8:0::1", sealed=sealed).status is Status.CORRECT
