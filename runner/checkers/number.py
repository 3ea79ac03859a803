"""Real numbers, optionally within an absolute and/or relative tolerance.

Accepted: ``1234.5``, ``1,234.5``, ``1 234.5``, ``1_234.5``, ``1'234.5``,
``-0.5``, ``.5``, ``1.2e3``, with a base unit after it (``23.09 seconds``,
``23.09s``, ``1500 bytes``; a scaled unit such as ``ms`` is refused). A comma
is only ever a thousands separator (in groups of three); ``1,5`` is refused
rather than guessed, because ``1,500`` is 1500 to one trainee and 1.5 to another.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import Field

from runner.checkers._common import strip_unit, token
from runner.checkers.base import (
    Checker,
    CheckerParams,
    InvalidAnswer,
    JudgeContext,
    Key,
    Verdict,
    matches_seal,
)

HINT = "Write a number such as 1234.5, 1,234.5 or 1.2e3 (a dot for decimals)."

_NUMBER = re.compile(
    r"[+-]?"
    r"(?:[0-9]{1,3}(?P<sep>[,_' ])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)?"
    r"(?:\.[0-9]*)?"
    r"(?:[eE][+-]?[0-9]{1,4})?"
)
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})


class NumberParams(CheckerParams):
    tolerance: float = Field(
        0.0, ge=0.0, description="Absolute tolerance: |answer - expected| <= tolerance is right."
    )
    relative: float = Field(
        0.0,
        ge=0.0,
        description="Relative tolerance as a fraction of the expected value (0.01 = 1%).",
    )


def parse_number(raw: str) -> float:
    """Read a trainee's number.

    Raises:
        InvalidAnswer: not a finite number in an accepted notation.
    """
    text = token(raw, "a number", HINT, max_len=64, spaces=True).translate(_SPACES)
    text = strip_unit(text, "the number")
    match = _NUMBER.fullmatch(text)
    if not match or not any(ch.isdigit() for ch in text.partition("e")[0].partition("E")[0]):
        if _DECIMAL_COMMA.fullmatch(text):
            dotted = text.replace(",", ".")
            raise InvalidAnswer(f"'{text}' is ambiguous.", f"Write decimals with a dot: {dotted}.")
        raise InvalidAnswer(f"'{text}' is not a number.", HINT)
    sep = match.group("sep")
    plain = text.replace(sep, "") if sep else text
    value = float(plain)
    if not math.isfinite(value):
        raise InvalidAnswer(f"'{text}' is too large.", HINT)
    return value


def canonical(value: float) -> str:
    """One spelling per value: whole numbers without a fraction, else ``repr``."""
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


class NumberChecker(Checker):
    name = "number"
    summary = "A number, optionally within an absolute or relative tolerance."
    Params = NumberParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        return canonical(parse_number(raw))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        if isinstance(value, bool):
            raise InvalidAnswer("a yes/no value is not a number")
        if isinstance(value, int | float):
            try:
                number = float(value)
            except OverflowError:
                raise InvalidAnswer("the number is too large") from None
            if not math.isfinite(number):
                raise InvalidAnswer("the number is not finite")
            return canonical(number)
        return self.normalize(str(value), params)

    def is_sealable(self, params: CheckerParams) -> bool:
        assert isinstance(params, NumberParams)
        return params.tolerance == 0 and params.relative == 0

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, NumberParams)
        try:
            value = parse_number(answer)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        normalized = canonical(value)
        for expected in key.values:
            try:
                target = float(self.normalize_expected(expected, params))
            except InvalidAnswer:
                continue
            allowed = max(params.tolerance, params.relative * abs(target))
            # A hair of slack so that 0.1 + 0.2 style rounding never decides a grade.
            slack = 1e-12 * max(1.0, abs(target))
            if abs(value - target) <= allowed + slack:
                return Verdict.correct(normalized)
        if any(matches_seal(normalized, s) for s in key.sealed):
            return Verdict.correct(normalized)
        return Verdict.wrong(normalized)


CHECKER = NumberChecker
