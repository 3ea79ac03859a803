"""Right answers in other notations are accepted where unambiguous (issue 8.6),
as property tests over generated values."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, JudgeContext, Key, Status, Verdict

ipv4 = st.builds(IPv4Address, st.integers(0, 2**32 - 1))
ipv6 = st.builds(IPv6Address, st.integers(2**33, 2**128 - 1))
ports = st.integers(0, 65535)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                min_size=1, max_size=12)


def judge(type_: str, answer: str, *expected: object, **params: object) -> Verdict:
    checker = registry().get(type_)
    return checker.judge(answer, Key(values=expected), checker.parse_params(params),
                         JudgeContext())


@settings(max_examples=150, deadline=None)
@given(st.lists(words, min_size=1, max_size=3))
def test_url_encoded_text_is_accepted(parts: list[str]) -> None:
    text = " ".join(parts)
    assert judge("text", quote(text), text).status is Status.CORRECT
    assert judge("text", quote_plus(text), text).status is Status.CORRECT
    assert judge("text", "UK%20basketball", "UK basketball").status is Status.CORRECT


def test_url_decoding_can_be_turned_off_and_never_makes_a_wrong_answer_right() -> None:
    assert judge("text", "UK%20basketball", "UK basketball",
                 url_encoded=False).status is Status.WRONG
    assert judge("text", "UK%20football", "UK basketball").status is Status.WRONG
    assert judge("text", "100%25", "100%").status is Status.CORRECT


@settings(max_examples=150, deadline=None)
@given(ipv4, st.booleans())
def test_zero_padded_ipv4_matches_a_regex_key(address: IPv4Address, search: bool) -> None:
    padded = ".".join(f"{int(o):03d}" for o in str(address).split("."))
    pattern = re.escape(str(address))
    answer = f"src {padded} dst" if search else padded
    assert judge("regex", answer, pattern, fullmatch=not search).status is Status.CORRECT


def test_unpadding_can_be_turned_off() -> None:
    assert judge("regex", "010.0.0.1", r"10\.0\.0\.1", unpad_ipv4=False).status is Status.WRONG
    assert judge("regex", "010.0.0.1", r"010\.0\.0\.1").status is Status.CORRECT


@settings(max_examples=100, deadline=None)
@given(st.lists(ports, min_size=1, max_size=6, unique=True), st.sampled_from(["tcp", "UDP"]))
def test_ports_in_nmap_notation(numbers: list[int], proto: str) -> None:
    answer = ", ".join(f"{n}/{proto}" for n in numbers)
    assert judge("set", answer, *numbers, of="integer").status is Status.CORRECT
    assert judge("integer", f"{numbers[0]}/{proto}", numbers[0]).status is Status.CORRECT


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64), st.sampled_from(["md5", "sha1", "sha256", "sha512"]),
       st.from_regex(r"[A-Za-z0-9_.-][A-Za-z0-9_. -]{0,20}", fullmatch=True), st.booleans())
def test_a_checksum_tool_output_line_is_a_digest(data: bytes, algo: str, name: str,
                                                 binary: bool) -> None:
    digest = hashlib.new(algo, data).hexdigest()
    gnu = f"{digest} {'*' if binary else ' '}{name}"
    bsd = f"{algo.upper()} ({name}) = {digest}"
    for line in (gnu, bsd):
        assert judge("hash", line, digest).status is Status.CORRECT


@settings(max_examples=150, deadline=None)
@given(st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
       st.sampled_from(["seconds", "s", "sec", " s", "second"]))
def test_a_number_with_its_base_unit(value: float, unit: str) -> None:
    sep = "" if unit.startswith(" ") or unit == "s" else " "
    assert judge("number", f"{value}{sep}{unit}", value).status is Status.CORRECT


def test_a_scaled_unit_is_refused_with_a_hint() -> None:
    verdict = judge("number", "23090 ms", 23.09)
    assert verdict.status is Status.INVALID and "unit the question asks for" in verdict.feedback
    assert judge("integer", "1000 ports", 1000).status is Status.CORRECT
    assert judge("integer", "0x1b", 27).status is Status.CORRECT  # hex digits, not bytes


@settings(max_examples=150, deadline=None)
@given(ipv4, ipv6, ports)
def test_an_endpoint_where_an_ip_is_asked(v4: IPv4Address, v6: IPv6Address, port: int) -> None:
    assert judge("ip", f"{v4}:{port}", str(v4)).status is Status.CORRECT
    assert judge("ip", f"[{v6}]:{port}", str(v6)).status is Status.CORRECT
    assert judge("ip", f"{v4}:{port}", str(v4), allow_port=False).status is Status.INVALID


@settings(max_examples=100, deadline=None)
@given(st.lists(ipv4, min_size=2, max_size=6, unique=True),
       st.sampled_from(["->", " -> ", "→", " => "]))
def test_arrows_between_the_items_of_a_list(hosts: list[IPv4Address], arrow: str) -> None:
    answer = arrow.join(str(h) for h in hosts)
    assert judge("set", answer, *map(str, hosts), of="ip").status is Status.CORRECT


def test_arrows_between_text_items_need_spaces() -> None:
    steps = ["login", "download", "logout"]
    assert judge("set", " -> ".join(steps), *steps).status is Status.CORRECT
    assert judge("set", "a->b", "a->b").status is Status.CORRECT


@settings(max_examples=150, deadline=None)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2090, 1, 1)))
def test_the_formats_date_prints(moment: datetime) -> None:
    moment = moment.replace(microsecond=0, tzinfo=UTC)
    iso = moment.isoformat()
    formats = [
        moment.strftime("%a %b ") + f"{moment.day:>2}" + moment.strftime(" %H:%M:%S UTC %Y"),
        moment.strftime("%a %b ") + f"{moment.day:>2}" + moment.strftime(" %I:%M:%S %p UTC %Y"),
        moment.strftime("%a %d %b %Y %I:%M:%S %p UTC"),
        moment.strftime("%a, %d %b %Y %H:%M:%S +0000"),
    ]
    for text in formats:
        assert judge("timestamp", text, iso).status is Status.CORRECT, text


@pytest.mark.parametrize("raw", ["1e3", "1E3", "2.5e2"])
def test_scientific_notation_for_an_integer_gets_the_promised_hint(raw: str) -> None:
    """Issue 8.7: the docs promise a hint for 1e3."""
    checker = registry().get("integer")
    with pytest.raises(InvalidAnswer) as caught:
        checker.normalize(raw, checker.parse_params({}))
    assert "scientific notation" in str(caught.value)
    assert "Write the whole number out: " in caught.value.hint
    assert caught.value.hint.endswith(("1000.", "250."))
