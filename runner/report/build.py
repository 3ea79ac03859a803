"""Session reports: what the trainee found, when, and on which evidence (by hash).

Police trainees attach these to practice case files, so the report states the
evidence hashes at start and stop, a timeline of every attempt and hint, and
where an archive of the trainee's work folder was kept. ``build_report`` gives
the data (the JSON format is exactly this); Markdown and HTML render the same
sections from :func:`sections`, so neither can leave out what the other shows.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from runner import __version__
from runner.scenario.model import pick_text
from runner.session.runtime import Running
from runner.session.scoring import score_tasks, summary


def iso(ts: float | None) -> str:
    """A local time with its UTC offset (2026-12-02T14:05:09+01:00)."""
    return datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds") if ts else ""


def build_report(running: Running) -> dict[str, Any]:
    """Everything a report shows, as plain data."""
    row, store, loaded = running.row, running.store, running.loaded
    attempts = store.attempts(row.id)
    hints = store.hints(row.id)
    scores = score_tasks(loaded.model.tasks, attempts, hints, store.grants(row.id))
    tasks = []
    for task, score in zip(loaded.model.tasks, scores, strict=True):
        mine = [a for a in attempts if a.task_id == task.id]
        final = next((a for a in reversed(mine) if a.counted), None)
        tasks.append({"id": task.id, "question": pick_text(task.question, row.lang),
                      "state": score.state, "earned": score.earned, "points": task.points,
                      "attempts": score.attempts, "hints_taken": score.hints_taken,
                      "hint_cost": score.hint_cost,
                      "finding": final.raw if final else None,
                      "normalized": final.normalized if final else None,
                      "first_correct_at": iso(score.first_correct_at)})
    timeline: list[dict[str, Any]] = [
        {"ts": a.at, "kind": a.kind, "task": a.task_id, "value": a.raw,
         "normalized": a.normalized, "verdict": a.status, "credit": a.score} for a in attempts]
    timeline += [{"ts": at, "kind": "hint", "task": task_id, "value": f"hint {idx + 1}",
                  "normalized": None, "verdict": None, "credit": -cost}
                 for task_id, taken in hints.items() for idx, at, cost in taken]
    timeline.sort(key=lambda e: e["ts"])
    events = store.events(row.id)
    return {
        "report": "dflab session report", "dflab_version": __version__,
        "session": row.id, "scenario": {"id": row.scenario_id, "title": row.title,
                                        "file": row.scenario_path, "sha256": row.scenario_sha256},
        "trainee": row.trainee, "seat": row.seat, "backend": row.backend, "status": row.status,
        "variant_seed": row.meta.get("variant_seed"),
        "started": iso(row.created_at), "updated": iso(row.updated_at),
        "score": summary(scores), "tasks": tasks,
        "evidence": store.evidence(row.id),
        "answer_keys": [_provenance(task_id, prov) for task_id, (_, prov)
                        in store.keys(row.id).items()],
        "timeline": [{"at": iso(e.pop("ts")), **e} for e in timeline],
        "work_archives": [{"path": e["path"], "sha256": e["sha256"], "bytes": e["bytes"],
                           "at": iso(e["at"])} for e in events if e["kind"] == "work-archived"],
        "events": [{**e, "at": iso(e["at"])} for e in events],
    }


def _provenance(task_id: str, prov: dict[str, Any]) -> dict[str, Any]:
    """Where a task's key came from, without the key itself (reports go to trainees)."""
    keep = ("source", "analyzer", "analyzer_version", "table", "evidence", "evidence_sha256",
            "dflab_version", "scenario_sha256", "value", "variant_seed", "stories")
    return {"task": task_id, **{k: prov[k] for k in keep if k in prov}}


def render_report(data: dict[str, Any], fmt: str) -> str:
    """The report as ``json``, ``md`` or ``html``."""
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    from runner.report import html, markdown

    return markdown.render(data) if fmt == "md" else html.render(data)


def evidence_status(ev: dict[str, Any]) -> str:
    if ev["at_start"] and ev["at_start"] != ev["sha256"]:
        return "MISMATCH at start"
    if ev["at_stop"] is None:
        return "intact at start; not yet checked at stop"
    return "intact" if ev["at_stop"] == ev["sha256"] else "CHANGED during the session"


def _answer(value: Any, normalized: Any) -> str:
    """What was typed, and how dflab read it when that differs."""
    text = "" if value is None else str(value)
    if normalized not in (None, "") and str(normalized) != text:
        return f"{text} → {normalized}"
    return text


def _pts(value: float) -> str:
    return f"{round(value, 2):g}"


Section = tuple[str, list[str], list[list[str]]]


def facts(d: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's header lines, as (label, value) pairs."""
    s = d["score"]
    trainee = d["trainee"] + (f" (seat {d['seat']})" if d["seat"] else "")
    return [("Session", f"{d['session']} ({d['status']}, {d['backend']} backend)"),
            ("Trainee", trainee),
            ("Started", d["started"]), ("Last activity", d["updated"]),
            *([("Generated evidence", f"variant seed {d['variant_seed']}")]
              if d.get("variant_seed") is not None else []),
            ("Scenario file", f"{d['scenario']['file']} (sha256 {d['scenario']['sha256']})"),
            ("Score", f"{_pts(s['score'])}/{_pts(s['max_score'])} ({s['percent']}%), "
                      f"{s['solved']}/{s['total']} tasks solved, {s['hints']} hint(s)")]


def sections(d: dict[str, Any]) -> list[Section]:
    """The report's tables: title, headers, rows (plain text cells)."""
    out: list[Section] = [
        ("Evidence", ["file", "sha256 (manifest)", "status"],
         [[e["name"], e["sha256"], evidence_status(e)] for e in d["evidence"]]),
        ("Findings", ["task", "question", "finding (→ as read)", "result", "hints", "points"],
         [[t["id"], t["question"], _answer(t["finding"], t["normalized"]), t["state"],
           f"{t['hints_taken']} (-{_pts(t['hint_cost'])})" if t["hints_taken"] else "0",
           f"{_pts(t['earned'])}/{_pts(t['points'])}"] for t in d["tasks"]]),
        ("Timeline of attempts and hints", ["time", "task", "what", "answer (→ as read)",
                                            "verdict"],
         [[e["at"], e["task"], e["kind"], _answer(e["value"], e["normalized"]),
           e["verdict"] or f"{_pts(e['credit'])} points"] for e in d["timeline"]]),
        ("How the answers were judged", ["task", "key source", "analyzer", "evidence sha256"],
         [[k["task"], k["source"], f"{k.get('analyzer', '')} {k.get('table', '')}".strip(),
           k.get("evidence_sha256", "")] for k in d["answer_keys"]]),
    ]
    if d["work_archives"]:
        out.append(("Work folder archives", ["archived", "file", "sha256", "bytes"],
                    [[w["at"], w["path"], w["sha256"], str(w["bytes"])]
                     for w in d["work_archives"]]))
    return out
