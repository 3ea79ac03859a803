"""Multiple choice: the answer is an option's text, its letter or its number.

``options: [TCP, UDP, ICMP]`` accepts ``udp``, ``b``, ``B)``, ``(b)`` or ``2``.
An answer that is exactly an option's text wins over a letter or number, so
numeric options (``options: ["1", "2", "4"]``) read as themselves. Expected
values must be option texts, so reordering options never changes the key.
"""

from __future__ import annotations

import re
import string
from typing import Any

from pydantic import Field, field_validator

from runner.checkers._common import snippet
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer

_MARKER = re.compile(r"\(?(?P<mark>[a-z]|[0-9]{1,3})[).:]?")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


class ChoiceParams(CheckerParams):
    options: tuple[str, ...] = Field(
        ..., min_length=2, description="The options in the order shown (a/1 is the first)."
    )

    @field_validator("options", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(v if isinstance(v, str) else str(v) for v in value)
        return value

    @field_validator("options")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(" ".join(v.split()) for v in value)
        if any(not v for v in cleaned):
            raise ValueError("an option is empty")
        folded = [v.casefold() for v in cleaned]
        if len(set(folded)) != len(folded):
            raise ValueError("two options are the same (ignoring case and spaces)")
        return cleaned


def _labels(count: int) -> str:
    letters = string.ascii_lowercase
    if count <= len(letters):
        return f"a-{letters[count - 1]} or 1-{count}"
    return f"1-{count}"


class ChoiceChecker(Checker):
    name = "choice"
    summary = "One of a list of options, by its text, letter (a, b, ...) or number (1, 2, ...)."
    Params = ChoiceParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, ChoiceParams)
        options = params.options
        hint = f"Answer with the option's letter or number ({_labels(len(options))}) or its text."
        if len(raw) > 4096 * 4:
            raise InvalidAnswer("The answer is too long to be one of the options.", hint)
        folded = _fold(raw)
        if not folded:
            raise InvalidAnswer("The answer is empty.", hint)
        for option in options:
            if option.casefold() == folded:
                return option
        marker = _MARKER.fullmatch(folded)
        if marker:
            mark = marker.group("mark")
            index = int(mark) - 1 if mark.isdigit() else ord(mark) - ord("a")
            if mark.isdigit() or len(options) <= 26:
                if 0 <= index < len(options):
                    return options[index]
                raise InvalidAnswer(f"There is no option {mark}.", hint)
        raise InvalidAnswer(f"{snippet(raw.strip())} is not one of the options.", hint)

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        assert isinstance(params, ChoiceParams)
        folded = _fold(str(value))
        for option in params.options:
            if option.casefold() == folded:
                return option
        raise InvalidAnswer(f"it is not one of the options {list(params.options)}")


CHECKER = ChoiceChecker
