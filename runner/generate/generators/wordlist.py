"""``wordlist``: a password list for cracking tasks, holding the story's secret among decoys.

A WPA2 or archive-password task is fair only if the list the trainee gets contains the
answer; where it stands in the list changes per variant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runner.generate.registry import GenContext, Generator
from runner.generate.variables import pool
from runner.scenario.model import Strict


class WordlistParams(Strict):
    include: list[str] = Field(default_factory=list, description="Words that must be listed.")
    pool: str = Field("passwords", description="Shipped pool the decoys come from.")
    size: int = Field(200, ge=1, le=1_000_000, description="Lines in the list.")


class WordlistGenerator(Generator):
    kind: ClassVar[str] = "wordlist"
    Params: ClassVar[type[BaseModel]] = WordlistParams
    suffix: ClassVar[str] = ".txt"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, WordlistParams)
        rng = ctx.rng("words")
        base = [w for w in pool(params.pool) if w not in params.include]
        decoys: list[str] = []
        suffixes = ["", "1", "12", "123", "!", "2024", "2025", "#"]
        while len(decoys) + len(params.include) < params.size:
            word = rng.choice(base) + rng.choice(suffixes)
            decoys.append(word.capitalize() if rng.random() < 0.3 else word)
        words = [*decoys, *params.include]
        rng.shuffle(words)
        out.write_text("\n".join(words) + "\n", encoding="utf-8")
        return {}
