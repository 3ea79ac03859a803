"""Load a scenario strictly: every problem found at once, each with file:line and a fix."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.evidence.manifest import EvidenceFile, sha256_file
from runner.scenario.catalogue import profile_dirs
from runner.scenario.compile import CompiledAnswer, compile_answer
from runner.scenario.model import FileRef, LabProfile, Scenario, Task
from runner.scenario.problems import Collector, Problem, ScenarioError, nearest
from runner.scenario.refs import check_references
from runner.scenario.strict import validate_model
from runner.scenario.yamlsrc import Source, format_path, load_source

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


def load_scenario(path: Path, *, verify_evidence: bool = True) -> LoadedScenario:
    """Load and validate; raise :class:`ScenarioError` carrying every problem."""
    loaded, problems = validate_scenario(path, verify_evidence=verify_evidence)
    errors = [p for p in problems if p.severity == "error"]
    if errors or loaded is None:
        raise ScenarioError(errors or problems)
    return loaded


def validate_scenario(path: Path, *, verify_evidence: bool = True
                      ) -> tuple[LoadedScenario | None, list[Problem]]:
    """Every problem in one scenario file, and the scenario when it has no errors."""
    path = Path(path)
    try:
        source = load_source(path)
    except InputError as exc:
        file, _, line = (exc.where or str(path)).rpartition(":")
        lineno = int(line) if line.isdigit() else 1
        return None, [Problem(file or str(path), lineno, "(file)", exc.message, exc.fix or "")]
    out = Collector(source, path)
    for dup_path, _line in source.duplicates:
        out.add(dup_path, f"key '{dup_path[-1]}' appears twice", "keep one of them")
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
        _raw_checks(data, path, out)
        return None, sorted(out.items, key=lambda p: p.line)
    profile = _check_semantics(model, path, source, answers, out, verify_evidence)
    if out.errors or profile is None:
        return None, sorted(out.items, key=lambda p: p.line)
    evidence = [
        EvidenceFile(_evidence_name(ev.file, ev.name), (path.parent / ev.file).resolve(),
                     ev.sha256.lower())
        for ev in model.evidence
    ]
    sha = hashlib.sha256(source.text.encode()).hexdigest()
    loaded = LoadedScenario(path.resolve(), source, model, profile, answers, evidence, sha,
                            [p for p in out.items if p.severity == "warning"])
    return loaded, out.items


def _raw_checks(data: dict[str, Any], path: Path, out: Collector) -> None:
    """Checks that still make sense when the structure has errors, so a trainer sees
    missing files and dangling references in the same run."""
    if isinstance(data.get("lab"), str):
        load_profile(data["lab"], path, out)
    evidence = data.get("evidence")
    for index, ev in enumerate(evidence if isinstance(evidence, list) else []):
        file = ev.get("file") if isinstance(ev, dict) else None
        if isinstance(file, str) and not (path.parent / file).is_file():
            out.add(("evidence", index, "file"), f"evidence file not found: {file}",
                    "check the path; it is relative to the scenario file")
    tasks = [t for t in data.get("tasks") or [] if isinstance(t, dict)]
    ids = [t.get("id") for t in tasks]
    for index, task in enumerate(tasks):
        requires = task.get("requires")
        for req_index, req in enumerate(requires if isinstance(requires, list) else []):
            if isinstance(req, str) and req not in ids:
                out.add(("tasks", index, "requires", req_index), f"unknown task '{req}'",
                        "name the id of another task in this scenario")


def _evidence_name(file: str, name: str | None) -> str:
    return name or Path(file).name


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
                     verify_evidence: bool) -> LabProfile | None:
    _check_tasks(model, answers, path, out)
    _check_evidence(model, path, out, verify_evidence)
    if isinstance(model.title, dict) and "en" not in model.title:
        out.warn(("title",), "no English title",
                 "add 'en:' so English-speaking trainers can use it")
    return load_profile(model.lab, path, out)


def _check_tasks(model: Scenario, answers: dict[str, CompiledAnswer], path: Path,
                 out: Collector) -> None:
    ids = [t.id for t in model.tasks]
    for index, task in enumerate(model.tasks):
        at = ("tasks", index)
        if ids.count(task.id) > 1 and ids.index(task.id) != index:
            out.add((*at, "id"), f"task id '{task.id}' is used twice", "give each task its own id")
        for req_index, req in enumerate(task.requires):
            if req not in ids:
                near = nearest(req, ids)
                out.add((*at, "requires", req_index), f"unknown task '{req}'",
                        f"did you mean '{near}'?" if near else f"use one of: {', '.join(ids)}")
            elif req == task.id:
                out.add((*at, "requires", req_index), "a task cannot require itself",
                        "remove it")
        compiled = answers.get(task.id)
        if task.solution is None:
            out.warn((*at,), "no reference solution", "add 'solution:' so 'dflab verify' can "
                     "self-test this task")
        elif compiled and isinstance(task.solution, FileRef):
            solution_file = path.parent / task.solution.file
            if not solution_file.is_file():
                out.add((*at, "solution", "file"), f"solution file not found: {solution_file}",
                        "carve the reference file and give its path relative to the scenario")
    _check_cycles(model, out)
    check_references(ids, answers, out)


def _check_cycles(model: Scenario, out: Collector) -> None:
    graph = {t.id: [r for r in t.requires if r != t.id] for t in model.tasks}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> bool:
        if state.get(node) == 1:
            out.add(("tasks", [t.id for t in model.tasks].index(node), "requires"),
                    "prerequisites form a cycle: " + " -> ".join([*trail, node]),
                    "remove one of the 'requires' entries")
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        found = any(visit(n, [*trail, node]) for n in graph.get(node, []) if n in graph)
        state[node] = 2
        return found

    for task_id in graph:
        if visit(task_id, []):
            return


def _check_evidence(model: Scenario, path: Path, out: Collector, verify: bool) -> None:
    names: set[str] = set()
    for index, ev in enumerate(model.evidence):
        at = ("evidence", index)
        name = _evidence_name(ev.file, ev.name)
        if name in names:
            out.add((*at, "name"), f"two evidence files are named '{name}' in the lab",
                    "give one of them another 'name:'")
        names.add(name)
        file = (path.parent / ev.file).resolve()
        if not file.is_file():
            out.add((*at, "file"), f"evidence file not found: {file}",
                    "check the path; it is relative to the scenario file")
        elif verify:
            actual = sha256_file(file)
            if actual != ev.sha256.lower():
                out.add((*at, "sha256"), f"the file's SHA-256 is {actual}, not the one recorded",
                        "restore the original file, or record the new hash if the change is "
                        "intended")


def load_profile(name: str, scenario_path: Path, out: Collector) -> LabProfile | None:
    """Find and strictly load lab profile ``name``; problems go to ``out``."""
    known: list[str] = []
    for folder in profile_dirs(scenario_path):
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return _load_profile_file(candidate, name, out)
        known += [p.stem for p in folder.glob("*.yaml")]
    near = nearest(name, known)
    out.add(("lab",), f"unknown lab profile '{name}'",
            f"did you mean '{near}'?" if near else f"use one of: {', '.join(sorted(set(known)))}")
    return None


def _load_profile_file(path: Path, name: str, out: Collector) -> LabProfile | None:
    try:
        source = load_source(path)
    except InputError as exc:
        out.add(("lab",), f"lab profile unreadable: {exc.one_line()}", "fix the profile file")
        return None
    inner = Collector(source, path)
    profile = validate_model(LabProfile, source.data, inner)
    out.items.extend(inner.items)
    if profile is not None and profile.id != name:
        out.add(("lab",), f"profile file {path} has id '{profile.id}'", f"set its id to '{name}'")
    return profile


__all__ = ["LoadedScenario", "format_path", "load_scenario", "validate_scenario"]
