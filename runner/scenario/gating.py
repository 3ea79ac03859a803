"""Authoring checks on what a key or a prerequisite chain does to a trainee's score.

Run by ``dflab validate`` (not by every load): prerequisites with few attempts that
gate many points, and keys larger than any answer may be.
"""

from __future__ import annotations

from runner.checkers.base import Key
from runner.scenario.loader import LoadedScenario
from runner.scenario.model import Scenario
from runner.scenario.problems import Problem

LOW_ATTEMPTS = 2  # at most this many attempts counts as "few"
MANY_POINTS = 0.2  # gating at least this share of the scenario's points counts as "many"


def dependents(model: Scenario, task_id: str) -> list[str]:
    """Every task that needs ``task_id`` solved first, directly or through others."""
    out: list[str] = []
    frontier = [task_id]
    while frontier:
        current = frontier.pop()
        for task in model.tasks:
            if current in task.requires and task.id not in out and task.id != task_id:
                out.append(task.id)
                frontier.append(task.id)
    return out


def gating_warnings(loaded: LoadedScenario) -> list[Problem]:
    """A warning per prerequisite with few attempts that gates many points."""
    model = loaded.model
    total = sum(t.points for t in model.tasks) or 1.0
    points = {t.id: t.points for t in model.tasks}
    out = []
    for index, task in enumerate(model.tasks):
        if task.max_attempts is None or task.max_attempts > LOW_ATTEMPTS:
            continue
        gated = dependents(model, task.id)
        share = sum(points[t] for t in gated)
        if not gated or share < MANY_POINTS * total:
            continue
        line = loaded.source.line_of(("tasks", index, "max_attempts"))
        out.append(Problem(
            str(loaded.path), line, f"tasks[{index}].max_attempts",
            f"'{task.id}' allows {task.max_attempts} attempt(s) but gates {share:g} of "
            f"{total:g} points ({', '.join(gated)}); a trainee who misses it reaches them "
            "only after its explanation is shown",
            "allow more attempts, or drop the 'requires' if the later tasks do not depend on "
            "its answer", "warning"))
    return out


def key_size_warnings(loaded: LoadedScenario, keys: dict[str, Key]) -> list[Problem]:
    """Keys no trainee could type in full (see ``Checker.key_size_problem``)."""
    out = []
    for index, task in enumerate(loaded.model.tasks):
        compiled = loaded.answers[task.id]
        found = compiled.checker.key_size_problem(keys[task.id], compiled.params)
        if found is None:
            continue
        severity, message, fix = found
        line = loaded.source.line_of(("tasks", index, "answer", "expected"))
        out.append(Problem(str(loaded.path), line, f"tasks[{index}].answer.expected",
                           message, fix, severity))
    return out
