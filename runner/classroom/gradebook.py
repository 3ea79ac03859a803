"""The gradebook: one row per trainee and task, a summary per trainee, LMS import files.

Summary layouts named in docs/classroom.md: Moodle's grade import (``ID number``
and ``Email address`` to match users, one grade column named after the class)
and Canvas's gradebook import (``Student,ID,SIS User ID,SIS Login ID,Section``
then the assignment column, with a ``Points Possible`` row).
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

from runner.classroom.copied import copied_flags
from runner.classroom.lifecycle import load_class_scenarios
from runner.classroom.status import lab_score
from runner.classroom.store import ClassStore, SeatRow
from runner.home import Home
from runner.scenario.loader import LoadedScenario
from runner.session.scoring import Mark, Summary, TaskState

TASK_COLUMNS = ("seat", "trainee_id", "name", "email", "scenario", "task", "verdict", "points",
                "max_points", "attempts", "hints_used", "seconds_to_first_correct",
                "variant_seed", "evidence_sha256", "evidence_intact", "source", "session",
                "answer", "copied_from")
SUMMARY_COLUMNS = ("seat", "trainee_id", "name", "email", "score", "max_score", "percent",
                   "solved", "tasks")


def _evidence(store_rows: list[dict[str, Any]], loaded: LoadedScenario
              ) -> tuple[dict[str, str], bool | None]:
    """Evidence hashes by file name, and whether they were unchanged at stop (None: not
    checked yet)."""
    if not store_rows:
        return {e.name: e.sha256 for e in loaded.evidence}, None
    digest = {r["name"]: r["sha256"] for r in store_rows}
    if any(r["at_stop"] is None for r in store_rows):
        return digest, None
    return digest, all(r["at_stop"] == r["sha256"] for r in store_rows)


def _answers(classes: ClassStore, session_id: str) -> dict[str, str]:
    """Per task the answer that counted: the first correct one, else the last given."""
    out: dict[str, str] = {}
    solved: set[str] = set()
    for a in classes.store.attempts(session_id):
        if a.task_id not in solved:
            out[a.task_id] = a.raw
            if a.status == "correct":
                solved.add(a.task_id)
    return out


def _seat_rows(classes: ClassStore, seat: SeatRow, scenario_id: str, session_id: str,
               loaded: LoadedScenario, offline: dict[str, dict[str, Any]] | None
               ) -> list[dict[str, Any]]:
    base = {"seat": seat.seat, "trainee_id": seat.trainee_id, "name": seat.name,
            "email": seat.email, "scenario": scenario_id, "variant_seed": seat.seed}
    if offline is not None:
        return [{**base, **_offline_row(offline.get(t.id), t.points),
                 "task": t.id, "evidence_sha256": _evidence([], loaded)[0], "answer": ""}
                for t in loaded.model.tasks]
    if not session_id:
        digest, _ = _evidence([], loaded)
        return [{**base, "task": t.id, "verdict": TaskState.NOT_STARTED, "points": 0.0,
                 "max_points": t.points, "attempts": 0, "hints_used": 0,
                 "seconds_to_first_correct": None, "evidence_sha256": digest,
                 "evidence_intact": None, "source": "", "session": "", "answer": ""}
                for t in loaded.model.tasks]
    scored = lab_score(classes.store, session_id, loaded)
    digest, intact = _evidence(classes.store.evidence(session_id), loaded)
    given = _answers(classes, session_id)
    rows = []
    for s in scored.scores:
        first = None
        if s.first_correct_at is not None and seat.started_at is not None:
            first = round(max(0.0, s.first_correct_at - seat.started_at), 1)
        # An export has no "open": a task nobody answered is unanswered.
        verdict = TaskState.UNANSWERED if s.state is TaskState.OPEN else s.state
        rows.append({**base, "task": s.id, "verdict": verdict, "points": s.earned,
                     "max_points": s.points, "attempts": s.attempts,
                     "hints_used": s.hints_taken, "seconds_to_first_correct": first,
                     "evidence_sha256": digest, "evidence_intact": intact, "source": "lab",
                     "session": session_id, "answer": given.get(s.id, "")})
    return rows


def _offline_row(graded: dict[str, Any] | None, points: float) -> dict[str, Any]:
    """A task graded from an answer sheet (no attempts history, no hints, no clock)."""
    status = TaskState(graded["status"]) if graded else TaskState.UNANSWERED
    return {"verdict": status, "points": graded["earned"] if graded else 0.0,
            "max_points": points, "attempts": int(status is not TaskState.UNANSWERED),
            "hints_used": 0,
            "seconds_to_first_correct": None, "evidence_intact": None,
            "source": graded["source"] if graded else "", "session": ""}


def gradebook_rows(home: Path, name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per-task rows and per-trainee summary rows of a class."""
    with Home(home).classes() as classes:
        cls = classes.get(name)
        loaded = load_class_scenarios(cls)
        offline = classes.grades(name)
        labs = {(lab.seat, lab.scenario_id): lab.session_id for lab in classes.labs(name)}
        tasks: list[dict[str, Any]] = []
        summary: list[dict[str, Any]] = []
        flags = {scenario_id: copied_flags(
            classes.store, loaded[scenario_id],
            {seat: sid for (seat, sc), sid in labs.items() if sc == scenario_id})
            for scenario_id in cls.scenarios}
        for seat in classes.seats(name):
            mine: list[dict[str, Any]] = []
            for scenario_id in cls.scenarios:
                rows = _seat_rows(classes, seat, scenario_id,
                                  labs.get((seat.seat, scenario_id), ""), loaded[scenario_id],
                                  offline.get((seat.seat, scenario_id)))
                for row in rows:  # a likely copied answer: seats whose variant it fits
                    row["copied_from"] = ";".join(flags[scenario_id].get((seat.seat,
                                                                         row["task"]), []))
                mine += rows
            tasks += mine
            summary.append(_summary(seat, mine))
        return tasks, summary


def _summary(seat: SeatRow, rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = Summary.of(Mark(points=float(r["max_points"]), earned=float(r["points"]),
                            state=TaskState(r["verdict"]), hints_taken=r["hints_used"],
                            attempts=r["attempts"]) for r in rows)
    return {"seat": seat.seat, "trainee_id": seat.trainee_id, "name": seat.name,
            "email": seat.email, "score": total.score, "max_score": total.max_score,
            "percent": total.percent, "solved": total.solved, "tasks": total.total}


def moodle_rows(name: str, summary: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Moodle grade import: match on ``ID number`` (or ``Email address``), grade in percent."""
    header = ["ID number", "Email address", "Full name", f"{name} (percent)"]
    return header, [[r["trainee_id"], r["email"], r["name"], r["percent"]] for r in summary]


def canvas_rows(name: str, summary: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Canvas gradebook import: SIS User ID matches the trainee; points in the assignment."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", name]
    top = summary[0]["max_score"] if summary else 0
    rows: list[list[Any]] = [["Points Possible", "", "", "", "", top]]
    rows += [[r["name"], "", r["trainee_id"], r["seat"], name, r["score"]] for r in summary]
    return header, rows


def _write_csv(path: Path, header: list[str] | tuple[str, ...], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)
    return path


def _cell(value: Any) -> Any:
    """A value as a CSV cell: hashes ``name=sha;...``, intact ``yes``/``NO``, none empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return f"{value:g}" if isinstance(value, float) else value


def wide_rows(tasks: list[dict[str, Any]], summary: list[dict[str, Any]]
              ) -> tuple[list[str], list[list[Any]]]:
    """One row per trainee: per task its points and the answer given (LMS-style)."""
    keys = list(dict.fromkeys((r["scenario"], r["task"]) for r in tasks))
    several = len({scenario for scenario, _ in keys}) > 1

    def label(scenario: str, task: str) -> str:
        return f"{scenario}/{task}" if several else task

    header = ["seat", "trainee_id", "name", "email", "score", "max_score", "percent"]
    for scenario, task in keys:
        header += [f"{label(scenario, task)} (points)", f"{label(scenario, task)} (answer)"]
    by_seat: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for r in tasks:
        by_seat.setdefault(r["seat"], {})[(r["scenario"], r["task"])] = r
    rows = []
    for t in summary:
        mine = by_seat.get(t["seat"], {})
        row = [t["seat"], t["trainee_id"], t["name"], t["email"], t["score"], t["max_score"],
               t["percent"]]
        for key in keys:
            cell = mine.get(key)
            row += [cell["points"], cell["answer"]] if cell else [None, None]
        rows.append(row)
    return header, rows


def _mark_exported(home: Path, name: str) -> None:
    """Remember the export: ``class delete`` and ``gc`` keep a class's work until then."""
    with Home(home).classes() as classes:
        classes.set_meta(name, "exported_at", f"{time.time():.3f}")


def export(home: Path, name: str, fmt: str, out_dir: Path) -> list[Path]:
    """Write the gradebook files of a class into ``out_dir``; the paths written."""
    tasks, summary = gradebook_rows(home, name)
    out_dir.mkdir(parents=True, exist_ok=True)
    _mark_exported(home, name)
    header, wide = wide_rows(tasks, summary)
    if fmt == "json":
        path = out_dir / f"{name}-gradebook.json"
        by_trainee = [dict(zip(header, row, strict=True)) for row in wide]
        path.write_text(json.dumps({"class": name, "tasks": tasks, "summary": summary,
                                    "wide": by_trainee}, indent=2) + "\n", encoding="utf-8")
        return [path]
    return [
        _write_csv(out_dir / f"{name}-wide.csv", header, wide),
        _write_csv(out_dir / f"{name}-gradebook.csv", TASK_COLUMNS,
                   [[r[c] for c in TASK_COLUMNS] for r in tasks]),
        _write_csv(out_dir / f"{name}-summary.csv", SUMMARY_COLUMNS,
                   [[r[c] for c in SUMMARY_COLUMNS] for r in summary]),
        _write_csv(out_dir / f"{name}-moodle.csv", *moodle_rows(name, summary)),
        _write_csv(out_dir / f"{name}-canvas.csv", *canvas_rows(name, summary)),
    ]
