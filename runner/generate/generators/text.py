"""``text``: a small text file written from a template (a note, a form, a profile page).

OSINT and evidence-handling labs hand trainees documents whose content differs per
trainee: a chain-of-custody form, an offline snapshot of a profile page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runner.generate.registry import GenContext, Generator
from runner.scenario.model import Strict


class TextParams(Strict):
    content: str = Field(max_length=1_000_000, description="The text, with {{values}} filled.")


class TextGenerator(Generator):
    kind: ClassVar[str] = "text"
    Params: ClassVar[type[BaseModel]] = TextParams
    suffix: ClassVar[str] = ".txt"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, TextParams)
        out.write_text(params.content if params.content.endswith("\n")
                       else params.content + "\n", encoding="utf-8")
        return {}
