"""Regular expressions: the answer must match one of the scenario's patterns.

The expected values are patterns, not answers, so a regex key cannot be sealed:
a salted hash of a pattern says nothing about which answers it matches.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from runner.checkers.base import Checker, CheckerParams, InvalidAnswer, JudgeContext, Key, Verdict

# Patterns are written by trainers, answers by trainees; a cap on the answer
# keeps a backtracking pattern from being fed a megabyte of text.
MAX_ANSWER = 4096


class RegexParams(CheckerParams):
    ignore_case: bool = Field(False, description="Match letters regardless of case.")
    fullmatch: bool = Field(
        True,
        description="The pattern must match the whole answer (false: anywhere inside it).",
    )
    multiline: bool = Field(False, description="'^' and '$' match at every line of the answer.")
    dotall: bool = Field(False, description="'.' also matches a newline.")
    unpad_ipv4: bool = Field(
        True,
        description="Also try the answer with zero-padded IPv4 octets written plainly "
        "(192.168.002.016 -> 192.168.2.16), as the ip type reads them.",
    )


def _flags(params: RegexParams) -> int:
    flags = 0
    if params.ignore_case:
        flags |= re.IGNORECASE
    if params.multiline:
        flags |= re.MULTILINE
    if params.dotall:
        flags |= re.DOTALL
    return flags


class RegexChecker(Checker):
    name = "regex"
    summary = "The answer must match one of several regular expressions."
    Params = RegexParams
    sealable = False

    def normalize(self, raw: str, params: CheckerParams) -> str:
        """Trim the answer; refuse an empty or over-long one."""
        if len(raw) > MAX_ANSWER * 4:
            raise InvalidAnswer(
                "The answer is too long.", f"Keep it under {MAX_ANSWER} characters."
            )
        text = raw.strip()
        if not text:
            raise InvalidAnswer("The answer is empty.", "Type the answer after the task id.")
        if len(text) > MAX_ANSWER:
            raise InvalidAnswer(
                "The answer is too long.", f"Keep it under {MAX_ANSWER} characters."
            )
        return text

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        """An expected value is a pattern: it must compile."""
        assert isinstance(params, RegexParams)
        pattern = str(value)
        try:
            re.compile(pattern, _flags(params))
        except re.error as exc:
            raise InvalidAnswer(f"the pattern does not compile ({exc})") from None
        return pattern

    def check_expected(self, values: tuple[Any, ...], params: CheckerParams) -> list[str]:
        problems = super().check_expected(values, params)
        if not values:
            problems.append("a regex task needs at least one expected pattern")
        return problems

    def is_sealable(self, params: CheckerParams) -> bool:
        return False

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, RegexParams)
        try:
            text = self.normalize(answer, params)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        flags = _flags(params)
        candidates = [text]
        if params.unpad_ipv4:
            plain = _PADDED_V4.sub(_unpad, text)
            if plain != text:
                candidates.append(plain)
        for value in key.values:
            try:
                compiled = re.compile(str(value), flags)
            except re.error:
                continue
            for candidate in candidates:
                match = compiled.fullmatch if params.fullmatch else compiled.search
                if match(candidate):
                    return Verdict.correct(candidate)
        return Verdict.wrong(text)


# A dotted quad not inside a longer run of digits and dots, with at least one padded octet.
_PADDED_V4 = re.compile(r"(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?![0-9.]*[0-9])")


def _unpad(match: re.Match[str]) -> str:
    return ".".join(str(int(octet)) for octet in match.group(0).split("."))


CHECKER = RegexChecker
