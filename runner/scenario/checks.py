"""Checks across a scenario's parts: task ids and prerequisites, evidence files and choice.

Each check is linear in the number of tasks (a 20,000-task scenario validates
in about a second) and none recurses, so a 3,000-deep ``requires`` chain is
reported like any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.checkers.frames import CAPTURE_SUFFIXES  # the judge's rule for 'the capture'
from runner.errors import InputError
from runner.evidence.manifest import resolve_evidence, sha256_file
from runner.scenario.compile import CompiledAnswer
from runner.scenario.model import FileRef, Scenario
from runner.scenario.problems import Collector, nearest
from runner.scenario.refs import check_references


def evidence_name(file: str, name: str | None) -> str:
    """The name an evidence file has inside the lab."""
    return name or Path(file).name


def check_tasks(model: Scenario, answers: dict[str, CompiledAnswer], path: Path,
                out: Collector) -> None:
    """Unique ids, known prerequisites, no cycles, reference solutions present."""
    ids = {t.id for t in model.tasks}
    seen: set[str] = set()
    for index, task in enumerate(model.tasks):
        at = ("tasks", index)
        if task.id in seen:
            out.add((*at, "id"), f"task id '{task.id}' is used twice", "give each task its own id")
        seen.add(task.id)
        for req_index, req in enumerate(task.requires):
            if req not in ids:
                near = nearest(req, ids) if len(ids) < 500 else None
                listed = ", ".join(sorted(ids)[:20])
                out.add((*at, "requires", req_index), f"unknown task '{req}'",
                        f"did you mean '{near}'?" if near else f"use one of: {listed}")
            elif req == task.id:
                out.add((*at, "requires", req_index), "a task cannot require itself",
                        "remove it")
        if task.solution is None:
            out.warn((*at,), "no reference solution", "add 'solution:' so 'dflab verify' can "
                     "self-test this task")
        elif (answers.get(task.id) and isinstance(task.solution, FileRef)
              and "{{" not in task.solution.file):  # a story's file: checked per variant
            solution_file = path.parent / task.solution.file
            if not solution_file.is_file():
                out.add((*at, "solution", "file"), f"solution file not found: {solution_file}",
                        "carve the reference file and give its path relative to the scenario")
    check_cycles(model, out)
    check_references([t.id for t in model.tasks], answers, out)


def check_cycles(model: Scenario, out: Collector) -> None:
    """Report the first cycle among prerequisites (iterative depth-first search)."""
    index_of = {t.id: i for i, t in enumerate(model.tasks)}
    graph = {t.id: [r for r in t.requires if r != t.id and r in index_of] for t in model.tasks}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root, first in graph.items():
        if root in state:
            continue
        trail: list[str] = [root]
        stack = [iter(first)]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[trail.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt):], nxt]
                shown = cycle if len(cycle) <= 12 else [*cycle[:5], "...", *cycle[-5:]]
                out.add(("tasks", index_of[nxt], "requires"),
                        "prerequisites form a cycle: " + " -> ".join(shown),
                        "remove one of the 'requires' entries")
                return
            elif nxt not in state:
                state[nxt] = 1
                trail.append(nxt)
                stack.append(iter(graph[nxt]))


def lab_names(model: Scenario, generated: dict[int, str]) -> list[str]:
    """Every evidence file's name in the lab; ``generated`` names the generated entries
    (by index) whose story loaded."""
    return [evidence_name(ev.file, ev.name) if ev.file is not None else generated[index]
            for index, ev in enumerate(model.evidence)
            if ev.file is not None or index in generated]


def check_evidence(model: Scenario, path: Path, out: Collector, verify: bool,
                   generated: dict[int, str] | None = None) -> None:
    """Unique names, each file present and a regular file, hashes as recorded."""
    names: set[str] = set()
    for index, ev in enumerate(model.evidence):
        at = ("evidence", index)
        name = evidence_name(ev.file, ev.name) if ev.file is not None else (
            generated or {}).get(index)
        if name in names:
            out.add((*at, "name"), f"two evidence files are named '{name}' in the lab",
                    "give one of them another 'name:'")
        if name is not None:
            names.add(name)
        if ev.file is None or ev.sha256 is None:
            continue  # generated: checked with its story
        try:
            file = resolve_evidence(path.parent, ev.file)
            if not file.exists():
                out.add((*at, "file"), f"evidence file not found: {file}",
                        "check the path; it is relative to the scenario file")
                continue
            actual = sha256_file(file) if verify else None
        except InputError as exc:
            out.add((*at, "file"), exc.message, exc.fix or "")
            continue
        if actual is not None and actual != ev.sha256.lower():
            out.add((*at, "sha256"), f"the file's SHA-256 is {actual}, not the one recorded",
                    "restore the original file, or record the new hash if the change is "
                    "intended")
        elif not verify and not file.is_file():
            out.add((*at, "file"), "evidence file must be a regular file",
                    "point 'file' at a capture or image file")


def check_evidence_choice(model: Scenario, answers: dict[str, CompiledAnswer],
                          out: Collector, generated: dict[int, str] | None = None) -> None:
    """With several evidence files, a query or a frames task must say which one it reads."""
    names = lab_names(model, generated or {})
    captures = [n for n in names if n.lower().endswith(CAPTURE_SUFFIXES)] or names
    for index, task in enumerate(model.tasks):
        compiled = answers.get(task.id)
        if compiled is None:
            continue
        at = ("tasks", index, "answer")
        if compiled.query is not None:
            _check_named(compiled.query.get("evidence"), names, names, (*at, "expected"),
                         "a fact query", out)
        if compiled.check is not None:
            _check_named(compiled.check.get("evidence"), names, names, (*at, "check"),
                         "a 'check' query", out)
        if "evidence" in type(compiled.params).model_fields:
            _check_named(getattr(compiled.params, "evidence", None), names, captures, at,
                         f"a '{task.answer.get('type')}' task", out)


def _check_named(chosen: Any, names: list[str], candidates: list[str], at: tuple[Any, ...],
                 what: str, out: Collector) -> None:
    if chosen is None:
        if len(candidates) > 1:
            out.add((*at, "evidence") if at[-1] == "answer" else at,
                    f"{what} without 'evidence:' while the scenario has {len(candidates)} "
                    "evidence files: dflab would have to guess",
                    f"add 'evidence: NAME' with one of: {', '.join(candidates[:10])}")
        return
    if chosen not in names:
        near = nearest(str(chosen), names)
        out.add((*at, "evidence"), f"{what} names evidence '{chosen}' that the scenario does "
                "not list", f"did you mean '{near}'?" if near else
                f"use one of: {', '.join(names[:10]) or '(none: add evidence first)'}")


def raw_checks(data: dict[str, Any], path: Path, out: Collector) -> None:
    """Checks that still make sense when the structure has errors, so a trainer sees
    missing files and dangling references in the same run."""
    evidence = data.get("evidence")
    for index, ev in enumerate(evidence if isinstance(evidence, list) else []):
        file = ev.get("file") if isinstance(ev, dict) else None
        if isinstance(file, str) and not (path.parent / file).is_file():
            out.add(("evidence", index, "file"), f"evidence file not found: {file}",
                    "check the path; it is relative to the scenario file")
    raw_tasks = data.get("tasks")
    tasks = [t for t in raw_tasks if isinstance(t, dict)] if isinstance(raw_tasks, list) else []
    # An id that is a list or mapping is reported by the model; here it must not crash.
    ids = {t.get("id") for t in tasks if isinstance(t.get("id"), str)}
    for index, task in enumerate(tasks):
        requires = task.get("requires")
        for req_index, req in enumerate(requires if isinstance(requires, list) else []):
            if isinstance(req, str) and req not in ids:
                out.add(("tasks", index, "requires", req_index), f"unknown task '{req}'",
                        "name the id of another task in this scenario")
