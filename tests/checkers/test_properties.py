"""Property tests: any text is either normalised or refused with InvalidAnswer.

Answers arrive from a terminal or a file of up to 1 MB with replaced bytes,
so no normaliser may raise anything else, and canonical forms must be stable.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.checkers import BUILTIN_MODULES, registry
from runner.checkers.base import InvalidAnswer, JudgeContext, Key, Status

PARAMS: dict[str, dict[str, Any]] = {
    "choice": {"options": ["TCP", "UDP", "ICMP"]},
    "set": {"of": "ip"},
    "record": {"parts": {"host": {"type": "ip"}, "port": {"type": "integer"}}},
    "sequence": {"of": "ip"},
    "ip": {"cidr": True},
}
TEXT_TYPES = [n for n in BUILTIN_MODULES if registry().get(n).accepts_text]
# Alphabets that reach the interesting branches of the parsers more often than random text.
ANSWERS = st.one_of(
    st.text(),
    st.text(alphabet="0123456789abcdefABCDEF:.-/[]%, xX_e+T Z\n;>", max_size=60),
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?", fullmatch=True),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _normalize(name: str, raw: str) -> str | None:
    checker = registry().get(name)
    params = checker.parse_params(PARAMS.get(name, {}))
    try:
        return checker.normalize(raw, params)
    except InvalidAnswer:
        return None


@pytest.mark.parametrize("name", BUILTIN_MODULES)
@FAST
@given(raw=ANSWERS)
def test_any_text_is_normalised_or_invalid(name: str, raw: str) -> None:
    result = _normalize(name, raw)
    assert result is None or isinstance(result, str)


@pytest.mark.parametrize("name", [n for n in TEXT_TYPES if n != "regex"])
@FAST
@given(raw=ANSWERS)
def test_normalisation_is_idempotent(name: str, raw: str) -> None:
    once = _normalize(name, raw)
    if once is not None:
        assert _normalize(name, once) == once


@pytest.mark.parametrize("name", TEXT_TYPES)
@FAST
@given(raw=ANSWERS)
def test_judging_any_text_gives_a_verdict(name: str, raw: str) -> None:
    checker = registry().get(name)
    params = checker.parse_params(PARAMS.get(name, {}))
    expected = {"choice": ("TCP",), "regex": ("x+",), "frames": ("1-3",)}.get(name, ("1",))
    verdict = checker.judge(raw, Key(values=expected), params, JudgeContext())
    assert isinstance(verdict.status, Status)
    assert 0.0 <= verdict.score <= 1.0


@pytest.mark.parametrize("name", TEXT_TYPES)
@pytest.mark.parametrize(
    "raw",
    ["1" * 1_000_000, "\ufffd" * 300_000, "10.0.0.1, " * 100_000, "a" * 999_999 + "\n"],
    ids=["digits", "replacement-chars", "many-members", "one-line"],
)
def test_megabyte_answers_are_normalised_or_invalid(name: str, raw: str) -> None:
    # Their speed is measured by 'make bench-answers', not asserted here.
    result = _normalize(name, raw)
    assert result is None or isinstance(result, str)
