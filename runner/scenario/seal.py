"""Sealing: replace literal expected values with salted hashes, keeping the file's layout.

A sealed scenario can be shared between trainers (or published) without
handing out the answers; it judges exactly like the plain one.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from runner.checkers.base import SEAL_PREFIX, InvalidAnswer, seal_value
from runner.scenario.loader import LoadedScenario


@dataclass(frozen=True)
class SealReport:
    text: str
    sealed: list[str]
    skipped: list[tuple[str, str]]
    solutions_removed: list[str]


def seal_text(loaded: LoadedScenario, keep_solutions: bool = False) -> SealReport:
    """The scenario text with every sealable literal key sealed (comments kept)."""
    source = loaded.source
    edits: list[tuple[int, int, str]] = []
    sealed, skipped, removed = [], [], []
    for index, task in enumerate(loaded.model.tasks):
        compiled = loaded.answers[task.id]
        if compiled.literal is None:
            skipped.append((task.id, "computed from the evidence (nothing to seal)"))
            continue
        if not compiled.literal.values:
            skipped.append((task.id, "already sealed"))
            continue
        if not compiled.checker.is_sealable(compiled.params):
            skipped.append((task.id, f"'{compiled.checker.name}' answers cannot be sealed"))
            continue
        values = _sealed_values(compiled, list(compiled.literal.values))
        values += list(compiled.literal.sealed)
        key_start, _, end = source.spans[("tasks", index, "answer", "expected")]
        new = json.dumps(values[0] if len(values) == 1 and not _is_set(compiled) else values)
        edits.append((key_start, _trim(source.text, key_start, end), f"expected: {new}"))
        sealed.append(task.id)
        if task.solution is not None and not keep_solutions:
            key_start, _, sol_end = source.spans[("tasks", index, "solution")]
            edits.append((key_start, _trim(source.text, key_start, sol_end),
                          "solution: null  # removed by 'dflab seal'"))
            removed.append(task.id)
    text = source.text
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return SealReport(text, sealed, skipped, removed)


def _trim(text: str, start: int, end: int) -> int:
    """End of a value without the line break and indentation a block node swallows."""
    return start + len(text[start:end].rstrip())


def _is_set(compiled: Any) -> bool:
    return bool(compiled.checker.name == "set")


def _sealed_values(compiled: Any, values: list[Any]) -> list[str]:
    out = []
    for value in values:
        try:
            normalized = compiled.checker.normalize_expected(value, compiled.params)
        except InvalidAnswer:
            normalized = str(value)
        if isinstance(value, str) and value.startswith(SEAL_PREFIX):
            out.append(value)
        else:
            out.append(seal_value(normalized, secrets.token_hex(8)))
    return out
