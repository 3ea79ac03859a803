"""Shared builders for checker tests: judge or normalise through the registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from runner.checkers import registry
from runner.checkers.base import JudgeContext, Key, Verdict, seal_value

Judge = Callable[..., Verdict]
Normalize = Callable[..., str]
Seal = Callable[..., str]


def _values(expected: Any) -> tuple[Any, ...]:
    return tuple(expected) if isinstance(expected, list | tuple) else (expected,)


@pytest.fixture
def judge() -> Judge:
    """``judge(type, answer, expected, sealed=(), ctx=None, **params)`` -> Verdict."""

    def run(
        type_: str,
        answer: str,
        expected: Any = (),
        *,
        sealed: tuple[str, ...] = (),
        ctx: JudgeContext | None = None,
        **params: Any,
    ) -> Verdict:
        checker = registry().get(type_)
        parsed = checker.parse_params(params)
        key = Key(values=_values(expected), sealed=sealed)
        return checker.judge(answer, key, parsed, ctx or JudgeContext())

    return run


@pytest.fixture
def normalize() -> Normalize:
    """``normalize(type, raw, **params)`` -> the canonical string (or InvalidAnswer)."""

    def run(type_: str, raw: str, **params: Any) -> str:
        checker = registry().get(type_)
        return checker.normalize(raw, checker.parse_params(params))

    return run


@pytest.fixture
def seal() -> Seal:
    """``seal(type, expected_value, salt="s", **params)`` -> a sealed key entry."""

    def run(type_: str, value: Any, salt: str = "s4lt", **params: Any) -> str:
        checker = registry().get(type_)
        # A cheap cost keeps the suite fast; the cost itself is tested in tests/scenarios.
        return seal_value(checker.normalize_expected(value, checker.parse_params(params)), salt,
                          n=2**10)

    return run
