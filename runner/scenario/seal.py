"""Sealing: replace literal expected values with slow salted hashes, keeping the file's layout.

A sealed scenario can be shared between trainers (or published) without
handing out the answers to a casual reader; it judges exactly like the plain
one. Written into another folder (``--output``), its relative paths (evidence,
kept solution files) are rewritten so they still point at the same files.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.checkers.base import InvalidAnswer, is_sealed, seal_value
from runner.errors import InputError
from runner.scenario.loader import LoadedScenario
from runner.scenario.model import FileRef


@dataclass(frozen=True)
class SealReport:
    text: str
    sealed: list[str]
    skipped: list[tuple[str, str]]
    solutions_removed: list[str]
    paths_rewritten: list[str]


def seal_text(loaded: LoadedScenario, keep_solutions: bool = False,
              target_dir: Path | None = None) -> SealReport:
    """The scenario text with every sealable literal key sealed (comments kept).

    Args:
        loaded: the plain scenario.
        keep_solutions: keep reference solutions (they reveal the answers).
        target_dir: the folder the sealed file will live in, when not the scenario's own:
            relative paths are rewritten to point at the same files from there.
    """
    source = loaded.source
    edits: list[tuple[int, int, str]] = []
    sealed, skipped, removed = [], [], []
    for index, task in enumerate(loaded.model.tasks):
        why = _unsealable(loaded, task.id)
        if why:
            skipped.append((task.id, why))
            continue
        edits.append(_seal_edit(loaded, index, task.id))
        sealed.append(task.id)
        if task.solution is not None and not keep_solutions:
            key_start, _, sol_end = source.spans[("tasks", index, "solution")]
            edits.append((key_start, _trim(source.text, key_start, sol_end),
                          "solution: null  # removed by 'dflab seal'"))
            removed.append(task.id)
    moved = _path_edits(loaded, target_dir, keep_solutions, removed)
    text = source.text
    for start, end, new in sorted(edits + [e for e, _ in moved], reverse=True):
        text = text[:start] + new + text[end:]
    return SealReport(text, sealed, skipped, removed, [p for _, p in moved])


def _unsealable(loaded: LoadedScenario, task_id: str) -> str:
    """Why a task's key is left as it is ('' when it can be sealed)."""
    compiled = loaded.answers[task_id]
    if compiled.story is not None:
        return "a story value, drawn per variant (the key is not in the file)"
    if compiled.literal is None:
        return "computed from the evidence (nothing to seal)"
    if not compiled.literal.values:
        return "already sealed"
    if not compiled.checker.is_sealable(compiled.params):
        return f"'{compiled.checker.name}' answers with these parameters cannot be sealed"
    return ""


def _seal_edit(loaded: LoadedScenario, index: int, task_id: str) -> tuple[int, int, str]:
    compiled = loaded.answers[task_id]
    assert compiled.literal is not None
    # One salt per task: a set's members share it, so judging an answer costs one
    # key derivation per answered member, not one per (member, key) pair.
    salt = secrets.token_hex(8)
    values = _sealed_values(compiled, list(compiled.literal.values), salt)
    values += list(compiled.literal.sealed)
    key_start, _, end = loaded.source.spans[("tasks", index, "answer", "expected")]
    one = len(values) == 1 and compiled.checker.name not in ("set", "sequence")
    new = json.dumps(values[0] if one else values)
    return key_start, _trim(loaded.source.text, key_start, end), f"expected: {new}"


def _trim(text: str, start: int, end: int) -> int:
    """End of a value without the line break and indentation a block node swallows."""
    return start + len(text[start:end].rstrip())


def _sealed_values(compiled: Any, values: list[Any], salt: str) -> list[Any]:
    out = []
    for value in values:
        if is_sealed(value):
            out.append(value)
            continue
        try:  # each checker seals its own way (a record part by part)
            out.append(compiled.checker.seal_expected(value, compiled.params, salt))
        except InvalidAnswer:
            out.append(seal_value(str(value), salt))
    return out


def _path_edits(loaded: LoadedScenario, target_dir: Path | None, keep_solutions: bool,
                removed: list[str]) -> list[tuple[tuple[int, int, str], str]]:
    """Edits that keep relative paths pointing at the same files from ``target_dir``."""
    if target_dir is None or target_dir.resolve() == loaded.path.parent:
        return []
    where: list[tuple[tuple[str | int, ...], str]] = [
        (("evidence", i, "file"), ev.file) for i, ev in enumerate(loaded.model.evidence)
        if ev.file is not None]
    where += [(("evidence", i, "generate"), ev.generate)  # a story file, not an inline one
              for i, ev in enumerate(loaded.model.evidence) if isinstance(ev.generate, str)]
    for i, task in enumerate(loaded.model.tasks):
        if isinstance(task.solution, FileRef) and task.id not in removed:
            where.append((("tasks", i, "solution", "file"), task.solution.file))
    out = []
    for path, old in where:
        if os.path.isabs(old):
            continue
        if path[0] == "tasks":
            # 'dflab verify' reads solution files from under the scenario's folder only,
            # so a kept one must be copied along, not pointed at.
            if (target_dir / old).is_file():
                continue
            raise InputError(f"the kept solution file {old} is not in {target_dir}",
                             where="--output", fix="copy the solution files next to the "
                             "sealed file first, or seal without --keep-solutions")
        new = os.path.relpath(loaded.resolve(old), target_dir.resolve())
        _, value_start, end = loaded.source.spans[path]
        out.append(((value_start, _trim(loaded.source.text, value_start, end),
                     json.dumps(new)), f"{old} -> {new}"))
    return out
