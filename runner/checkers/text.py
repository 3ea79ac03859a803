"""Free text: case and white space do not matter unless the scenario says so."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from urllib.parse import unquote, unquote_plus

from pydantic import Field

from runner.checkers.base import (
    Checker,
    CheckerParams,
    InvalidAnswer,
    JudgeContext,
    Key,
    Status,
    Verdict,
)


class TextParams(CheckerParams):
    case_sensitive: bool = Field(False, description="Letter case must match the expected answer.")
    url_encoded: bool = Field(
        True,
        description="Also accept the answer URL-encoded (UK%20basketball, UK+basketball), as "
        "it appears in requests; false when the encoding itself is the answer.",
    )


class TextChecker(Checker):
    name = "text"
    summary = "Free text, case- and white-space-insensitive; several accepted answers."
    Params = TextParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, TextParams)
        text = " ".join(unicodedata.normalize("NFC", raw).split())
        if not text:
            raise InvalidAnswer("The answer is empty.", "Type the answer after the task id.")
        return text if params.case_sensitive else text.casefold()

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        """Exact match after normalising; then, if allowed, the URL-decoded answer."""
        assert isinstance(params, TextParams)
        verdict = super().judge(answer, key, params, ctx)
        if verdict.status is not Status.WRONG or not params.url_encoded:
            return verdict
        for decoded in _decodings(answer):
            try:
                normalized = self.normalize(decoded, params)
            except InvalidAnswer:
                continue
            if self.key_matches(normalized, key, params):
                return Verdict.correct(normalized, "Correct (read as URL-encoded text).")
        return verdict


def _decodings(answer: str) -> list[str]:
    """The answer read as URL-encoded text (%XX escapes, '+' for a space), if it differs."""
    out = []
    if re.search(r"%[0-9A-Fa-f]{2}", answer):
        # Not text once decoded: only the answer as typed can match.
        with contextlib.suppress(UnicodeDecodeError):
            out.append(unquote(answer, errors="strict"))
    if "+" in answer:
        out.append(unquote_plus(answer))
    return [d for d in dict.fromkeys(out) if d != answer]


CHECKER = TextChecker
