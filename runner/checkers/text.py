"""Free text: case and white space do not matter unless the scenario says so."""

from __future__ import annotations

import unicodedata

from pydantic import Field

from runner.checkers.base import Checker, CheckerParams, InvalidAnswer


class TextParams(CheckerParams):
    case_sensitive: bool = Field(False, description="Letter case must match the expected answer.")


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


CHECKER = TextChecker
