"""Records: named parts of their own types, natural notations, credit per part, sealing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from runner.checkers import registry
from runner.checkers.base import JudgeContext, Key, Status
from runner.checkers.record import read_parts

from .conftest import Judge

CREDS = {"parts": {"user": {"type": "text"},
                   "password": {"type": "text", "case_sensitive": True, "weight": 2}}}
SOCKET = {"parts": {"host": {"type": "ip"}, "port": {"type": "integer"}}}
PAIR = {"parts": {"scanner": {"type": "ip"}, "target": {"type": "ip"}}}
LOGIN = {"user": "salesxfer", "password": "p@ssw0rd"}


@pytest.mark.parametrize("answer", [
    "salesxfer:p@ssw0rd",
    "SalesXfer p@ssw0rd",
    "user=salesxfer, password=p@ssw0rd",
    "password: p@ssw0rd; user: salesxfer",
    "user = salesxfer\npassword = p@ssw0rd",
    '{"user": "salesxfer", "password": "p@ssw0rd"}',
    "salesxfer\np@ssw0rd",
    "(salesxfer, p@ssw0rd)",
])
def test_credentials_in_every_natural_form(judge: Judge, answer: str) -> None:
    verdict = judge("record", answer, LOGIN, **CREDS)
    assert verdict.status is Status.CORRECT, verdict.feedback
    assert json.loads(verdict.normalized or "") == {"user": "salesxfer", "password": "p@ssw0rd"}


@pytest.mark.parametrize("answer", [
    "10.0.0.5:445", "10.0.0.5 445", "host=10.0.0.5 port=445", "10.0.0.5, 0x1bd",
    '{"host": "10.0.0.5", "port": 445}', "port=445; host=010.000.000.005",
])
def test_ip_and_port(judge: Judge, answer: str) -> None:
    verdict = judge("record", answer, {"host": "10.0.0.5", "port": 445}, **SOCKET)
    assert verdict.status is Status.CORRECT, verdict.feedback


def test_ipv6_with_a_port_splits_at_the_first_valid_place(judge: Judge) -> None:
    assert judge("record", "fe80::1:445", {"host": "fe80::1", "port": 445},
                 **SOCKET).status is Status.CORRECT
    assert judge("record", "[2001:db8::7]:22", {"host": "2001:db8::7", "port": 22},
                 **SOCKET).status is Status.CORRECT


def test_two_addresses_with_an_arrow(judge: Judge) -> None:
    expected = {"scanner": "192.168.1.10", "target": "192.168.1.1"}
    assert judge("record", "192.168.1.10 -> 192.168.1.1", expected, **PAIR).score == 1.0
    swapped = judge("record", "192.168.1.1 -> 192.168.1.10", expected, **PAIR)
    assert swapped.status is Status.WRONG


def test_partial_credit_is_weighted_per_part(judge: Judge) -> None:
    # The password weighs 2 of 3: a right user alone earns a third.
    verdict = judge("record", "salesxfer:P@ssw0rd", LOGIN, **CREDS)
    assert verdict.status is Status.PARTIAL
    assert verdict.score == pytest.approx(1 / 3)
    assert "user: correct" in verdict.feedback and "password: wrong" in verdict.feedback
    assert judge("record", "admin:p@ssw0rd", LOGIN, **CREDS).score == pytest.approx(2 / 3)


def test_best_of_several_expected_records_counts(judge: Judge) -> None:
    keys = [{"user": "alice", "password": "one"}, {"user": "bob", "password": "two"}]
    assert judge("record", "bob:two", keys, **CREDS).status is Status.CORRECT
    assert judge("record", "bob:one", keys, **CREDS).score == pytest.approx(2 / 3)


def test_a_part_may_accept_several_values(judge: Judge) -> None:
    key = {"user": ["salesxfer", "SALES\\salesxfer"], "password": "p@ssw0rd"}
    assert judge("record", "user=SALES\\salesxfer, password=p@ssw0rd", key,
                 **CREDS).status is Status.CORRECT


def test_unreadable_answers_are_invalid_with_a_hint(judge: Judge) -> None:
    for answer in ["", "onlyone", '{"user": "x"}', '{"user": "x", "pwd": "y"}', "{nope"]:
        verdict = judge("record", answer, LOGIN, **CREDS)
        assert verdict.status is Status.INVALID, answer
    verdict = judge("record", "10.0.0.5:http", {"host": "10.0.0.5", "port": 80}, **SOCKET)
    assert verdict.status is Status.INVALID
    assert "user=" not in verdict.feedback and "host=..., port=..." in verdict.feedback


def test_query_rows_with_other_field_names_are_taken_in_part_order(judge: Judge) -> None:
    row = {"client": "192.168.1.10", "server": "192.168.1.1"}  # select: [client, server]
    assert judge("record", "192.168.1.10 192.168.1.1", row, **PAIR).status is Status.CORRECT


def test_sealed_parts_keep_partial_credit() -> None:
    checker = registry().get("record")
    params = checker.parse_params(CREDS)
    sealed = checker.seal_expected(LOGIN, params, "salt")
    assert set(sealed) == {"user", "password"}
    assert all(v.startswith("sealed:scrypt:") and ":salt:" in v for v in sealed.values())
    assert "salesxfer" not in json.dumps(sealed)
    key = Key(values=(sealed,))
    ctx = JudgeContext()
    assert checker.judge("SALESXFER:p@ssw0rd", key, params, ctx).status is Status.CORRECT
    assert checker.judge("salesxfer:nope", key, params, ctx).score == pytest.approx(1 / 3)
    assert checker.check_expected((sealed,), params) == []


def test_is_sealable_only_when_every_part_is() -> None:
    checker = registry().get("record")
    assert checker.is_sealable(checker.parse_params(CREDS))
    tolerant = {"parts": {"host": {"type": "ip"}, "when": {"type": "number", "tolerance": 1}}}
    assert not checker.is_sealable(checker.parse_params(tolerant))


@pytest.mark.parametrize(("params", "where"), [
    ({"parts": {"host": {"type": "ipp"}}}, ("parts", "host", "type")),
    ({"parts": {"host": {"type": "record"}}}, ("parts", "host", "type")),
    ({"parts": {"host": {"type": "ip", "bogus": 1}}}, ("parts", "host")),
    ({"parts": {"Host": {"type": "ip"}}}, ("parts",)),
    ({"parts": {}}, ("parts",)),
    ({"parts": {"host": {"weight": 1}}}, ("parts", "host", "type")),
])
def test_bad_parameters_are_refused_with_their_location(params: dict, where: tuple) -> None:
    with pytest.raises(ValidationError) as info:
        registry().get("record").parse_params(params)
    assert tuple(info.value.errors()[0]["loc"]) == where


def test_expected_values_are_checked_part_by_part() -> None:
    checker = registry().get("record")
    params = checker.parse_params(SOCKET)
    assert checker.check_expected(({"host": "10.0.0.5", "port": 445},), params) == []
    assert checker.check_expected(("10.0.0.5:445",), params) == []
    problems = checker.check_expected(({"host": "10.0.0.5"},), params)
    assert problems and "part 'port' has no expected value" in problems[0]
    assert "not a part" in checker.check_expected(({"host": "1.2.3.4", "port": 1, "x": 2},),
                                                  params)[0]
    assert "part 'host'" in checker.check_expected(({"host": "nope", "port": 1},), params)[0]


@given(st.from_regex(r"[a-z][a-z0-9._-]{0,15}", fullmatch=True),
       st.from_regex(r"[A-Za-z0-9!#$%&*+@^_~.-]{1,20}", fullmatch=True))
def test_user_colon_password_round_trips(user: str, password: str) -> None:
    params = registry().get("record").parse_params(CREDS)
    parsed = read_parts(f"{user}:{password}", params)
    assert parsed == {"user": user, "password": password}
