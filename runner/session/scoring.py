"""Scores derived from stored attempts and hints: never stored, so never stale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.scenario.model import Task, pick_text
from runner.session.store import Attempt, Store


@dataclass(frozen=True)
class TaskScore:
    """One task's standing: what a trainee, a report and a gradebook need."""

    id: str
    points: float
    best: float
    hint_cost: float
    earned: float
    attempts: int
    max_attempts: int | None
    hints_taken: int
    state: str  # open | locked | correct | partial | wrong
    first_correct_at: float | None

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts is None else max(0, self.max_attempts - self.attempts)


def session_scores(store: Store, session_id: str, tasks: list[Task]) -> list[TaskScore]:
    """Every task's standing in one stored session."""
    return score_tasks(tasks, store.attempts(session_id), store.hints(session_id))


def score_tasks(tasks: list[Task], attempts: list[Attempt],
                hints: dict[str, list[tuple[int, float, float]]]) -> list[TaskScore]:
    """Score every task: best credited attempt times points, less hint costs, never < 0."""
    by_task: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_task.setdefault(attempt.task_id, []).append(attempt)
    solved = {t.id for t in tasks
              if any(a.status == "correct" for a in by_task.get(t.id, []))}
    return [score_task(task, tally(by_task.get(task.id, [])), hints.get(task.id, []), solved)
            for task in tasks]


@dataclass(frozen=True)
class Tally:
    """What scoring needs from a task's counted attempts (the store can compute it in SQL)."""

    count: int = 0
    best: float = 0.0
    first_correct_at: float | None = None


def tally(attempts: list[Attempt]) -> Tally:
    mine = [a for a in attempts if a.counted]
    return Tally(len(mine), max((a.score for a in mine), default=0.0),
                 next((a.at for a in mine if a.status == "correct"), None))


def score_task(task: Task, counts: Tally, hints: list[tuple[int, float, float]],
               solved: set[str]) -> TaskScore:
    """One task's standing from its attempt tally, its hints and the solved task ids."""
    best, correct_at = counts.best, counts.first_correct_at
    cost = sum(h[2] for h in hints)
    earned = max(0.0, round(best * task.points - cost, 4)) if best > 0 else 0.0
    if any(r not in solved for r in task.requires):
        state = "locked"
    elif task.id in solved:
        state = "correct"
    elif best > 0:
        state = "partial"
    else:
        state = "wrong" if counts.count else "open"
    return TaskScore(task.id, task.points, best, cost, earned, counts.count, task.max_attempts,
                     len(hints), state, correct_at)


def summary(scores: list[TaskScore]) -> dict[str, Any]:
    total = sum(s.points for s in scores)
    earned = round(sum(s.earned for s in scores), 4)
    return {
        "score": earned,
        "max_score": total,
        "percent": round(100 * earned / total, 1) if total else 0.0,
        "solved": sum(1 for s in scores if s.state == "correct"),
        "total": len(scores),
        "hints": sum(s.hints_taken for s in scores),
        "attempts": sum(s.attempts for s in scores),
    }


def task_summary(task: Task, lang: str, width: int = 60) -> str:
    """First line of the question, shortened for one-line listings."""
    text = pick_text(task.question, lang).strip().splitlines()
    first = text[0] if text else ""
    return first if len(first) <= width else first[: width - 1] + "…"
