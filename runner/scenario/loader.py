"""Load a scenario strictly: every problem found at once, each with file:line and a fix."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import InputError, NotFoundError, show_path
from runner.evidence.manifest import EvidenceFile, resolve_evidence
from runner.generate.story import LoadedStory
from runner.scenario.checks import (
    check_evidence,
    check_evidence_choice,
    check_tasks,
    evidence_name,
    raw_checks,
)
from runner.scenario.compile import CompiledAnswer, compile_answer
from runner.scenario.model import LabProfile, Scenario, Task
from runner.scenario.problems import Collector, Problem, ScenarioError, yaml_warnings
from runner.scenario.profiles import find_profile, read_profile_into
from runner.scenario.stories import GenEvidence, VariantInfo, check_generated
from runner.scenario.strict import validate_model
from runner.scenario.yamlsrc import Source, format_path, gc_paused, load_source

FILE_ANSWER_TYPES = ("artifact",)


@dataclass
class LoadedScenario:
    """A valid scenario with its compiled answers, lab profile and evidence manifest."""

    path: Path
    source: Source
    model: Scenario
    profile: LabProfile
    answers: dict[str, CompiledAnswer]
    evidence: list[EvidenceFile]
    sha256: str
    warnings: list[Problem] = field(default_factory=list)
    generated: list[GenEvidence] = field(default_factory=list)
    stories: dict[str, LoadedStory] = field(default_factory=dict)
    variant: VariantInfo | None = None  # set on a scenario made for one variant
    template: LoadedScenario | None = None  # the scenario a variant was made from

    @property
    def id(self) -> str:
        return self.model.id

    def task(self, task_id: str) -> Task:
        for task in self.model.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def resolve(self, relative: str) -> Path:
        """A path written in the scenario, relative to the scenario file."""
        return (self.path.parent / relative).resolve()


def load_scenario(path: Path, *, verify_evidence: bool = True,
                  source: Source | None = None) -> LoadedScenario:
    """Load and validate; raise :class:`ScenarioError` carrying every problem.

    ``source`` is the file already parsed by :func:`load_source` (``dflab start``
    reads it once for the early container start, and validation reuses it).
    """
    loaded, problems = validate_scenario(path, verify_evidence=verify_evidence, source=source)
    errors = [p for p in problems if p.severity == "error"]
    if errors or loaded is None:
        raise ScenarioError(errors or problems)
    return loaded


def validate_scenario(path: Path, *, verify_evidence: bool = True, source: Source | None = None
                      ) -> tuple[LoadedScenario | None, list[Problem]]:
    """Every problem in one scenario file, and the scenario when it has no errors."""
    with gc_paused():  # linear in the number of tasks (see bench/bench_validate.py)
        return _validate(Path(path), verify_evidence, source)


def _validate(path: Path, verify_evidence: bool, source: Source | None
              ) -> tuple[LoadedScenario | None, list[Problem]]:
    try:
        source = source or load_source(path)
    except InputError as exc:
        shown = show_path(path)
        where = exc.where or shown
        file, _, line = where.rpartition(":") if where != shown else (shown, "", "")
        lineno = int(line) if line.isdigit() else 1
        return None, [Problem(file or shown, lineno, "(file)", exc.message, exc.fix or "")]
    out = Collector(source, path)
    for dup_path, _line in source.duplicates:
        out.add(dup_path, f"key '{dup_path[-1]}' appears twice", "keep one of them")
    out.items += yaml_warnings(source)
    data = source.data
    if not isinstance(data, dict):
        out.add((), "a scenario must be a YAML mapping", "start with 'schema_version: 1'")
        return None, out.items
    if data.get("schema_version") not in (1, None):
        out.add(("schema_version",), f"schema_version {data['schema_version']!r} is not supported",
                "use schema_version: 1 (this dflab reads version 1)")
        return None, out.items
    model = validate_model(Scenario, data, out)
    answers = _compile_answers(data, out)
    if model is None:
        if isinstance(data.get("lab"), str):
            load_profile(data["lab"], path, out)
        raw_checks(data, path, out)
        return None, sorted(out.items, key=lambda p: p.line)
    generated, stories = check_generated(model, path, source, out)
    profile = _check_semantics(model, path, source, answers, out, verify_evidence, generated)
    if out.errors or profile is None:
        return None, sorted(out.items, key=lambda p: p.line)
    evidence = [
        EvidenceFile(evidence_name(ev.file, ev.name), resolve_evidence(path.parent, ev.file),
                     ev.sha256.lower())
        for ev in model.evidence if ev.file is not None and ev.sha256 is not None
    ]
    sha = hashlib.sha256(source.text.encode()).hexdigest()
    loaded = LoadedScenario(path.resolve(), source, model, profile, answers, evidence, sha,
                            [p for p in out.items if p.severity == "warning"], generated,
                            stories)
    return loaded, out.items


def _compile_answers(data: dict[str, Any], out: Collector) -> dict[str, CompiledAnswer]:
    answers: dict[str, CompiledAnswer] = {}
    tasks = data.get("tasks")
    if not isinstance(tasks, list):
        return answers
    for index, task in enumerate(tasks):
        if isinstance(task, dict) and "answer" in task:
            compiled = compile_answer(task["answer"], out, ("tasks", index, "answer"))
            if compiled is not None and isinstance(task.get("id"), str):
                answers[task["id"]] = compiled
    return answers


def _check_semantics(model: Scenario, path: Path, source: Source,
                     answers: dict[str, CompiledAnswer], out: Collector,
                     verify_evidence: bool, generated: list[GenEvidence]) -> LabProfile | None:
    check_tasks(model, answers, path, out)
    names = {g.index: g.name for g in generated}
    check_evidence(model, path, out, verify_evidence, names)
    check_evidence_choice(model, answers, out, names)
    if isinstance(model.title, dict) and "en" not in model.title:
        out.warn(("title",), "no English title",
                 "add 'en:' so English-speaking trainers can use it")
    return load_profile(model.lab, path, out)


def load_profile(name: str, scenario_path: Path, out: Collector) -> LabProfile | None:
    """Find and strictly load lab profile ``name``; problems go to ``out``."""
    try:
        file = find_profile(name, scenario_path)
    except NotFoundError as exc:
        out.add(("lab",), exc.message, exc.fix or "")
        return None
    return read_profile_into(file, name, out)


__all__ = ["LoadedScenario", "format_path", "load_scenario", "validate_scenario"]
