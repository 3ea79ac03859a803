"""Flow answers: notations, direction, precision and recall."""

from __future__ import annotations

import pytest

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize

WEB = "tcp 10.0.0.1:1234 <-> 10.0.0.2:80"


@pytest.mark.parametrize(
    "raw",
    [
        "10.0.0.1:1234 -> 10.0.0.2:80 tcp",
        "tcp 10.0.0.2:80 10.0.0.1:1234",
        "TCP 10.0.0.2:80 <-> 10.0.0.1:1234",
        "tcp 10.0.0.1.1234 > 10.0.0.2.80:",
        "tcp [::ffff:10.0.0.1]:1234 to 10.0.0.2:80",
        "6 tcp 10.0.0.1:1234, 10.0.0.2:80"[2:],
    ],
)
def test_notations_and_directions(normalize: Normalize, raw: str) -> None:
    assert normalize("flows", raw) == WEB


def test_ipv6_and_icmp(normalize: Normalize) -> None:
    v6 = normalize("flows", "udp [2001:db8::2]:53 [2001:DB8::1]:5353")
    assert v6 == "udp [2001:db8::1]:5353 <-> [2001:db8::2]:53"
    assert normalize("flows", "ICMP 10.0.0.9 10.0.0.1") == "icmp 10.0.0.1 <-> 10.0.0.9"


def test_several_lines_sorted_and_deduplicated(normalize: Normalize) -> None:
    raw = f"{WEB}\nudp 10.0.0.1:53 10.0.0.3:53\n10.0.0.2:80 -> 10.0.0.1:1234 tcp"
    assert normalize("flows", raw) == f"{WEB}\nudp 10.0.0.1:53 <-> 10.0.0.3:53"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("10.0.0.1:1234 10.0.0.2:80", "no protocol"),
        ("tcp 10.0.0.1 10.0.0.2", "ports of both ends"),
        ("icmp 10.0.0.1:1 10.0.0.2:2", "no ports"),
        ("tcp 10.0.0.1:1 10.0.0.2", "one end only"),
        ("tcp 10.0.0.1:1", "two endpoints"),
        ("tcp udp 10.0.0.1:1 10.0.0.2:2", "two endpoints"),
        ("tcp 10.0.0.1:70000 10.0.0.2:2", "port number"),
    ],
)
def test_incomplete_flows_are_invalid(normalize: Normalize, raw: str, message: str) -> None:
    with pytest.raises(InvalidAnswer, match=message):
        normalize("flows", raw)


def test_protocol_optional_when_ignored(normalize: Normalize) -> None:
    assert normalize("flows", "udp 10.0.0.1:1 10.0.0.2:2", ignore_protocol=True) == (
        "10.0.0.1:1 <-> 10.0.0.2:2"
    )


def test_precision_and_recall_judging(judge: Judge) -> None:
    key = [WEB, "udp 10.0.0.1:53 10.0.0.3:53"]
    assert judge("flows", "10.0.0.2:80 -> 10.0.0.1:1234 tcp", key).status is Status.PARTIAL
    both = f"{WEB}; udp 10.0.0.3:53 10.0.0.1:53"
    assert judge("flows", both, key).status is Status.CORRECT
    assert judge("flows", "tcp 10.0.0.7:1 10.0.0.8:2", key).status is Status.WRONG


def test_key_as_analyzer_mappings(judge: Judge) -> None:
    key = [{"proto": "tcp", "src": "10.0.0.2", "sport": 80, "dst": "10.0.0.1", "dport": 1234}]
    assert judge("flows", WEB, key).status is Status.CORRECT


def test_flows_are_not_sealable_and_need_a_key() -> None:
    checker = registry().get("flows")
    params = checker.parse_params({})
    assert not checker.is_sealable(params)
    assert checker.check_expected((), params) == ["a flows task needs at least one flagged flow"]
