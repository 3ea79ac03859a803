"""Scores derived from stored attempts and hints: never stored, so never stale.

The one scoring vocabulary: a task is in one :class:`TaskState`, and every total
(a lab, an answer sheet, a seat, a gradebook row) is a :class:`Summary`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Protocol

from runner.checkers.base import Status
from runner.scenario.model import Task, pick_text
from runner.session.store import Attempt, Store


class TaskState(StrEnum):
    """Where a task stands. The values are what JSON output and the store carry."""

    OPEN = "open"  # in a lab, nothing counted yet
    LOCKED = "locked"  # a task it requires is neither solved nor out of attempts
    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"
    INVALID = "invalid"  # an answer sheet's answer could not be judged
    UNANSWERED = "unanswered"  # an answer sheet (or a gradebook) has nothing for it
    NOT_STARTED = "not started"  # a seat whose lab never started

    @classmethod
    def of_verdict(cls, status: Status) -> TaskState:
        """The state a single judged answer leaves a task in."""
        return cls(status.value)

    @property
    def solved(self) -> bool:
        return self is TaskState.CORRECT


class Scored(Protocol):
    """What a total needs of one task's result."""

    @property
    def points(self) -> float: ...
    @property
    def earned(self) -> float: ...
    @property
    def state(self) -> TaskState: ...
    @property
    def hints_taken(self) -> int: ...
    @property
    def attempts(self) -> int: ...


@dataclass(frozen=True)
class Mark:
    """A task's result as a total needs it, when it comes from elsewhere (an export row)."""

    points: float
    earned: float
    state: TaskState
    hints_taken: int = 0
    attempts: int = 0


@dataclass(frozen=True)
class Summary:
    """The one total: of a session, an answer sheet, a seat or a gradebook row."""

    score: float
    max_score: float
    percent: float
    solved: int
    total: int
    hints: int
    attempts: int

    @classmethod
    def of(cls, items: Iterable[Scored]) -> Summary:
        items = list(items)
        top = sum(s.points for s in items)
        earned = round(sum(s.earned for s in items), 4)
        return cls(score=earned, max_score=top,
                   percent=round(100 * earned / top, 1) if top else 0.0,
                   solved=sum(1 for s in items if s.state.solved), total=len(items),
                   hints=sum(s.hints_taken for s in items),
                   attempts=sum(s.attempts for s in items))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    state: TaskState
    first_correct_at: float | None

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts is None else max(0, self.max_attempts - self.attempts)


def session_scores(store: Store, session_id: str, tasks: list[Task]) -> list[TaskScore]:
    """Every task's standing in one stored session (attempt grants included)."""
    return score_tasks(tasks, store.attempts(session_id), store.hints(session_id),
                       store.grants(session_id))


def score_tasks(tasks: list[Task], attempts: list[Attempt],
                hints: dict[str, list[tuple[int, float, float]]],
                grants: Mapping[str, int] | None = None) -> list[TaskScore]:
    """Score every task: best credited attempt times points, less hint costs, never < 0."""
    by_task: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_task.setdefault(attempt.task_id, []).append(attempt)
    solved = {t.id for t in tasks
              if any(a.status == Status.CORRECT for a in by_task.get(t.id, []))}
    counts = {t: sum(1 for a in mine if a.counted) for t, mine in by_task.items()}
    open_ = settled(tasks, solved, counts, grants or {})
    return [score_task(task, tally(by_task.get(task.id, [])), hints.get(task.id, []), solved,
                       grants=grants, settled_ids=open_)
            for task in tasks]


def attempt_limit(task: Task, grants: Mapping[str, int] | None) -> int | None:
    """A task's attempt limit in one session: the scenario's plus any trainer grants."""
    if task.max_attempts is None:
        return None
    return task.max_attempts + (grants or {}).get(task.id, 0)


def settled(tasks: list[Task], solved: set[str], counts: Mapping[str, int],
            grants: Mapping[str, int]) -> set[str]:
    """Tasks whose dependents are open: solved ones, and ones that can no longer be
    solved (no attempts left), so one missed prerequisite never locks points for good."""
    out = set(solved)
    for task in tasks:
        limit = attempt_limit(task, grants)
        if limit is not None and counts.get(task.id, 0) >= limit:
            out.add(task.id)
    return out


def exhausted(score: TaskScore) -> bool:
    """No attempts left and not solved: the task's explanation may be shown."""
    return score.attempts_left == 0 and score.state != TaskState.CORRECT


@dataclass(frozen=True)
class Tally:
    """What scoring needs from a task's counted attempts (the store can compute it in SQL)."""

    count: int = 0
    best: float = 0.0
    first_correct_at: float | None = None


def tally(attempts: list[Attempt]) -> Tally:
    mine = [a for a in attempts if a.counted]
    return Tally(len(mine), max((a.score for a in mine), default=0.0),
                 next((a.at for a in mine if a.status == Status.CORRECT), None))


def score_task(task: Task, counts: Tally, hints: list[tuple[int, float, float]],
               solved: set[str], *, grants: Mapping[str, int] | None = None,
               settled_ids: set[str] | None = None) -> TaskScore:
    """One task's standing from its attempt tally, its hints and the solved task ids.

    ``settled_ids`` (default: ``solved``) are the prerequisites that no longer lock
    their dependents; a task already attempted is never locked again.
    """
    best, correct_at = counts.best, counts.first_correct_at
    cost = sum(h[2] for h in hints)
    earned = max(0.0, round(best * task.points - cost, 4)) if best > 0 else 0.0
    unlocking = solved if settled_ids is None else settled_ids
    if not counts.count and any(r not in unlocking for r in task.requires):
        state = TaskState.LOCKED
    elif task.id in solved:
        state = TaskState.CORRECT
    elif best > 0:
        state = TaskState.PARTIAL
    else:
        state = TaskState.WRONG if counts.count else TaskState.OPEN
    return TaskScore(task.id, task.points, best, cost, earned, counts.count,
                     attempt_limit(task, grants), len(hints), state, correct_at)


def summary(scores: list[TaskScore]) -> dict[str, Any]:
    """A session's total as JSON-ready data (see :class:`Summary`)."""
    return Summary.of(scores).as_dict()


def task_summary(task: Task, lang: str, width: int = 60) -> str:
    """First line of the question, shortened for one-line listings."""
    text = pick_text(task.question, lang).strip().splitlines()
    first = text[0] if text else ""
    return first if len(first) <= width else first[: width - 1] + "…"
