"""Where every seat stands: the data behind ``dflab class board`` and ``class status --json``.

Scores are derived from the stored attempts and hints each time (never
stored, so never stale); the class's scenarios are loaded once per view.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.classroom.copied import copied_flags
from runner.classroom.course_step import COURSE, current_scenario
from runner.classroom.lifecycle import load_class_scenarios
from runner.classroom.quota import QUOTA_KEY
from runner.classroom.store import ClassRow, SeatRow
from runner.home import Home
from runner.scenario.loader import LoadedScenario
from runner.session.scoring import Summary, TaskScore, score_tasks
from runner.session.store import Store


@dataclass(frozen=True)
class LabScore:
    """One seat's standing in one scenario."""

    scenario_id: str
    session_id: str
    session_status: str
    scores: list[TaskScore]
    last_activity: float | None


def lab_score(store: Store, session_id: str, loaded: LoadedScenario) -> LabScore:
    """Score a seat's session from its attempts and hints."""
    attempts = store.attempts(session_id)
    hints = store.hints(session_id)
    moments = [a.at for a in attempts] + [h[1] for taken in hints.values() for h in taken]
    status = store.session(session_id).status
    return LabScore(loaded.id, session_id, status,
                    score_tasks(loaded.model.tasks, attempts, hints, store.grants(session_id)),
                    max(moments) if moments else None)


def seat_view(seat: SeatRow, cls: ClassRow, labs: list[LabScore], errors: list[str],
              now: float, copied: list[str] | None = None) -> dict[str, Any]:
    """One seat as a flat dict: what the board shows and scripts read."""
    total = Summary.of(s for lab in labs for s in lab.scores)
    left = seat.time_left(cls.minutes, now)
    last = max((lab.last_activity for lab in labs if lab.last_activity), default=None)
    return {
        "seat": seat.seat, "trainee_id": seat.trainee_id, "name": seat.name,
        "email": seat.email, "status": seat.status,
        "solved": total.solved, "tasks": total.total,
        "score": total.score, "max_score": total.max_score, "percent": total.percent,
        "attempts": total.attempts, "hints": total.hints,
        "last_activity": last,
        "time_left": None if left is None else int(left),
        "sessions": {lab.scenario_id: lab.session_id for lab in labs},
        "errors": errors,
        "copied": copied or [],
        # A course class shows each scenario's standing apart (board columns, --json).
        "by_scenario": {lab.scenario_id: _standing(lab) for lab in labs},
    }


def _standing(lab: LabScore) -> dict[str, Any]:
    part = Summary.of(lab.scores)
    return {"solved": part.solved, "tasks": part.total, "score": part.score,
            "max_score": part.max_score, "percent": part.percent}


def class_status(home: Path, name: str, now: float | None = None,
                 loaded: dict[str, LoadedScenario] | None = None) -> dict[str, Any]:
    """The class and every seat's standing (``loaded`` caches scenarios between frames)."""
    now = time.time() if now is None else now
    with Home(home).classes() as classes:
        cls = classes.get(name)
        loaded = loaded if loaded is not None else load_class_scenarios(cls)
        labs = classes.labs(name)
        online = classes.connected(name)
        over_quota = set(filter(None, classes.meta(name, QUOTA_KEY).split(",")))
        flags = {sc: copied_flags(classes.store, loaded[sc], {lab.seat: lab.session_id for lab
                                                               in labs if lab.scenario_id == sc})
                 for sc in cls.scenarios}
        seats = []
        for seat in classes.seats(name):
            mine = [lab for lab in labs if lab.seat == seat.seat]
            scored = [lab_score(classes.store, lab.session_id, loaded[lab.scenario_id])
                      for lab in mine if lab.session_id]
            copied = [f"{sc}/{task}" for sc, found in flags.items()
                      for (who, task) in found if who == seat.seat]
            view = seat_view(seat, cls, scored, [lab.error for lab in mine if lab.error], now,
                             copied)
            seats.append({**view, "connected": online.get(seat.seat, 0),
                          "work_over_quota": seat.seat in over_quota})
        course, current = classes.meta(name, COURSE), current_scenario(classes, name)
        return {"class": cls.name, "scenarios": list(cls.scenarios), "minutes": cls.minutes,
                "course": course, "current": current,
                "frozen": cls.frozen, "created_at": cls.created_at, "at": now, "seats": seats}
