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


def descendants(model: Scenario) -> list[int]:
    """Per task (by index) a bit set of every task needing it first, directly or not.

    Built once in reverse topological order with integers as bit sets, so a
    20,000-task chain costs a fraction of a second rather than a walk per task.
    """
    index = {t.id: i for i, t in enumerate(model.tasks)}
    children: list[list[int]] = [[] for _ in model.tasks]
    waiting = [0] * len(model.tasks)  # prerequisites not yet placed in the order
    for i, task in enumerate(model.tasks):
        for req in dict.fromkeys(task.requires):
            j = index.get(req)
            if j is not None and j != i:
                children[j].append(i)
                waiting[i] += 1
    order = [i for i, n in enumerate(waiting) if n == 0]
    for j in order:  # Kahn's algorithm; the list grows while it is walked
        for c in children[j]:
            waiting[c] -= 1
            if waiting[c] == 0:
                order.append(c)
    sets = [0] * len(model.tasks)  # tasks in a cycle (refused by validation) keep 0
    for j in reversed(order):
        acc = 0
        for c in children[j]:
            acc |= sets[c] | (1 << c)
        sets[j] = acc
    return sets


def dependents(model: Scenario, task_id: str) -> list[str]:
    """Every task that needs ``task_id`` solved first, directly or through others."""
    index = [t.id for t in model.tasks].index(task_id)
    bits = descendants(model)[index]
    return [t.id for i, t in enumerate(model.tasks) if bits >> i & 1]


def _names(model: Scenario, bits: int, limit: int = 10) -> str:
    names: list[str] = []
    while bits and len(names) < limit:
        low = bits & -bits
        names.append(model.tasks[low.bit_length() - 1].id)
        bits ^= low
    more = bits.bit_count()
    return ", ".join(names) + (f", and {more} more" if more else "")


def gating_warnings(loaded: LoadedScenario) -> list[Problem]:
    """A warning per prerequisite with few attempts that gates many points."""
    model = loaded.model
    total = sum(t.points for t in model.tasks) or 1.0
    masks: dict[float, int] = {}
    for i, t in enumerate(model.tasks):
        masks[t.points] = masks.get(t.points, 0) | (1 << i)
    sets: list[int] | None = None
    out = []
    for index, task in enumerate(model.tasks):
        if task.max_attempts is None or task.max_attempts > LOW_ATTEMPTS:
            continue
        sets = sets if sets is not None else descendants(model)
        gated = sets[index]
        share = sum(points * (gated & mask).bit_count() for points, mask in masks.items())
        if not gated or share < MANY_POINTS * total:
            continue
        line = loaded.source.line_of(("tasks", index, "max_attempts"))
        out.append(Problem(
            str(loaded.path), line, f"tasks[{index}].max_attempts",
            f"'{task.id}' allows {task.max_attempts} attempt(s) but gates {share:g} of "
            f"{total:g} points ({_names(model, gated)}); a trainee who misses it reaches "
            "them only after its explanation is shown",
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
