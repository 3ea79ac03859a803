"""Non-interactive grading: an answer sheet (or the reference solutions) judged at once."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.backends.copyout import copy_host_file
from runner.checkers.base import JudgeContext, Verdict
from runner.errors import DflabError, InputError, show_path
from runner.scenario.loader import LoadedScenario
from runner.scenario.model import FileRef
from runner.scenario.problems import Problem, yaml_warnings
from runner.scenario.yamlsrc import load_source
from runner.session.keys import resolve_keys
from runner.session.scoring import Summary, TaskState

SHEET_FILE_CAP = 256 * 1024 * 1024


@dataclass(frozen=True)
class TaskResult:
    task: str
    points: float
    earned: float
    verdict: Verdict
    answered: bool

    @property
    def state(self) -> TaskState:
        return TaskState.of_verdict(self.verdict.status) if self.answered \
            else TaskState.UNANSWERED

    @property
    def hints_taken(self) -> int:
        return 0  # an answer sheet has no hints

    @property
    def attempts(self) -> int:
        return int(self.answered)

    def as_dict(self) -> dict[str, Any]:
        return {"task": self.task, "status": self.state.value, "credit": self.verdict.score,
                "earned": self.earned, "points": self.points, "feedback": self.verdict.feedback,
                "normalized": self.verdict.normalized}


def load_sheet(path: Path) -> dict[str, Any]:
    """Read an answer sheet: a YAML/JSON mapping of task id to answer."""
    return read_sheet(path)[0]


def read_sheet(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """An answer sheet and a warning for each value YAML read otherwise than typed.

    Sheets are read like scenarios (YAML 1.2 core schema, aliases bounded), so
    ``1:34`` stays text; what YAML still changes (``"3B\\backdoor"`` holds a
    backspace, ``010`` is the integer 10) is reported with the quoting fix.
    """
    source = load_source(path)
    if not isinstance(source.data, dict):
        raise InputError("an answer sheet must map task ids to answers",
                         where=show_path(path), fix="write lines like 'scanner: 10.0.0.5'")
    return {str(k): v for k, v in source.data.items()}, yaml_warnings(source)


def grade(loaded: LoadedScenario, answers: Mapping[str, Any], base_dir: Path,
          cache_dir: Path | None = None, where: str = "answers") -> list[TaskResult]:
    """Judge one answer per task; files are read from under ``base_dir`` only."""
    unknown = [k for k in answers if k not in loaded.answers]
    if unknown:
        raise InputError(f"unknown task id '{unknown[0]}'", where=where,
                         fix=f"use the scenario's ids: {', '.join(loaded.answers)}")
    keys = resolve_keys(loaded, cache_dir)
    ctx = JudgeContext(evidence={e.name: e.path for e in loaded.evidence})
    results = []
    with tempfile.TemporaryDirectory(prefix="dflab-grade-") as scratch:
        for task in loaded.model.tasks:
            compiled = loaded.answers[task.id]
            if task.id not in answers or answers[task.id] is None:
                results.append(TaskResult(task.id, task.points, 0.0,
                                          Verdict.wrong(feedback="No answer."), False))
                continue
            value = answers[task.id]
            checker, params, key = compiled.checker, compiled.params, keys[task.id][0]
            try:
                file = _as_file(value, checker.accepts_text)
                if file is not None:
                    if not checker.accepts_file:
                        verdict = Verdict.invalid("This task takes a typed answer, not a file.")
                    else:
                        copy = copy_host_file(base_dir.resolve(),
                                              str(base_dir.resolve() / file),
                                              Path(scratch) / task.id, SHEET_FILE_CAP, file,
                                              "the answers folder")
                        verdict = checker.judge_file(copy, key, params, ctx)
                else:
                    verdict = checker.judge(_as_text(value), key, params, ctx)
            except DflabError as exc:
                verdict = Verdict.invalid(exc.one_line())
            results.append(TaskResult(task.id, task.points,
                                      round(verdict.score * task.points, 4), verdict, True))
    return results


def solutions(loaded: LoadedScenario, stage: Path | None = None) -> dict[str, Any]:
    """The reference solutions as an answer sheet: file paths relative to the scenario, or,
    with ``stage``, copied under ``stage/solutions`` and relative to ``stage`` (a variant's
    solution files live beside its evidence, outside the scenario's folder)."""
    sheet: dict[str, Any] = {}
    for task in loaded.model.tasks:
        if isinstance(task.solution, FileRef):
            sheet[task.id] = {"file": task.solution.file if stage is None
                              else _staged(loaded.resolve(task.solution.file), stage)}
        elif task.solution is not None:
            sheet[task.id] = task.solution
    return sheet


def _staged(source: Path, stage: Path) -> str:
    target = stage / "solutions" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return f"solutions/{target.name}"


def _as_file(value: Any, accepts_text: bool) -> str | None:
    if isinstance(value, Mapping) and set(value) == {"file"}:
        return str(value["file"])
    if not accepts_text and isinstance(value, str):
        return value
    return None


def _as_text(value: Any) -> str:
    if isinstance(value, Mapping):  # a record's parts written as a YAML mapping
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def total(results: list[TaskResult]) -> dict[str, Any]:
    """An answer sheet's total, in the same words as a lab's (see :class:`Summary`)."""
    return Summary.of(results).as_dict()
