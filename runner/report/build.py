"""Session reports: what the trainee found, when, and on which evidence (by hash).

Police trainees attach these to practice case files, so the report states the
evidence hashes at start and stop and a timeline of every attempt.
"""

from __future__ import annotations

import html
import json
import time
from typing import Any

from runner import __version__
from runner.scenario.model import pick_text
from runner.session.runtime import Running
from runner.session.scoring import score_tasks, summary


def _iso(ts: float | None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(ts)) if ts else ""


def build_report(running: Running) -> dict[str, Any]:
    """Everything a report shows, as plain data (the JSON format is exactly this)."""
    row, store, loaded = running.row, running.store, running.loaded
    attempts = store.attempts(row.id)
    scores = score_tasks(loaded.model.tasks, attempts, store.hints(row.id), store.grants(row.id))
    tasks = []
    for task, score in zip(loaded.model.tasks, scores, strict=True):
        mine = [a for a in attempts if a.task_id == task.id]
        final = next((a for a in reversed(mine) if a.counted), None)
        tasks.append({"id": task.id, "question": pick_text(task.question, row.lang),
                      "state": score.state, "earned": score.earned, "points": task.points,
                      "attempts": score.attempts, "hints_taken": score.hints_taken,
                      "finding": final.raw if final else None,
                      "first_correct_at": _iso(score.first_correct_at)})
    return {
        "report": "dflab session report", "dflab_version": __version__,
        "session": row.id, "scenario": {"id": row.scenario_id, "title": row.title,
                                        "file": row.scenario_path, "sha256": row.scenario_sha256},
        "trainee": row.trainee, "seat": row.seat, "backend": row.backend, "status": row.status,
        "variant_seed": row.meta.get("variant_seed"),
        "started": _iso(row.created_at), "updated": _iso(row.updated_at),
        "score": summary(scores), "tasks": tasks,
        "evidence": store.evidence(row.id),
        "answer_keys": [_provenance(task_id, prov) for task_id, (_, prov)
                        in store.keys(row.id).items()],
        "timeline": [{"at": _iso(a.at), "task": a.task_id, "kind": a.kind, "value": a.raw,
                      "normalized": a.normalized, "verdict": a.status, "credit": a.score}
                     for a in attempts],
        "events": [{**e, "at": _iso(e["at"])} for e in store.events(row.id)],
    }


def _provenance(task_id: str, prov: dict[str, Any]) -> dict[str, Any]:
    """Where a task's key came from, without the key itself (reports go to trainees)."""
    keep = ("source", "analyzer", "analyzer_version", "table", "evidence", "evidence_sha256",
            "dflab_version", "scenario_sha256", "value", "variant_seed", "stories")
    return {"task": task_id, **{k: prov[k] for k in keep if k in prov}}


def render_report(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    md = _markdown(data)
    if fmt == "md":
        return md
    return _html(data)


def _evidence_status(ev: dict[str, Any]) -> str:
    if ev["at_start"] and ev["at_start"] != ev["sha256"]:
        return "MISMATCH at start"
    if ev["at_stop"] is None:
        return "intact at start; not yet checked at stop"
    return "intact" if ev["at_stop"] == ev["sha256"] else "CHANGED during the session"


def _cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")[:200]


def _markdown(d: dict[str, Any]) -> str:
    s = d["score"]
    lines = [f"# {d['scenario']['title']}", "",
             f"- Session: `{d['session']}` ({d['status']}, {d['backend']} backend)",
             f"- Trainee: {d['trainee']}" + (f" (seat {d['seat']})" if d["seat"] else ""),
             f"- Started: {d['started']}; last activity: {d['updated']}",
             *([f"- Generated evidence: variant seed {d['variant_seed']}"]
               if d.get("variant_seed") is not None else []),
             f"- Scenario file: `{d['scenario']['file']}` (sha256 `{d['scenario']['sha256']}`)",
             f"- Score: **{s['score']:g}/{s['max_score']:g}** ({s['percent']}%), "
             f"{s['solved']}/{s['total']} tasks solved, {s['hints']} hint(s)", "",
             "## Evidence", "", "| file | sha256 (manifest) | status |", "|---|---|---|"]
    lines += [f"| {_cell(e['name'])} | `{e['sha256']}` | {_evidence_status(e)} |"
              for e in d["evidence"]]
    lines += ["", "## Findings", "", "| task | question | finding | result | points |",
              "|---|---|---|---|---|"]
    lines += [f"| {t['id']} | {_cell(t['question'])} | {_cell(t['finding'])} | {t['state']} | "
              f"{t['earned']:g}/{t['points']:g} |" for t in d["tasks"]]
    lines += ["", "## Timeline of attempts", "", "| time | task | answer | verdict |",
              "|---|---|---|---|"]
    lines += [f"| {a['at']} | {a['task']} | {_cell(a['value'])} | {a['verdict']} |"
              for a in d["timeline"]]
    lines += ["", "## How the answers were judged", "",
              "| task | key source | analyzer | evidence sha256 |", "|---|---|---|---|"]
    lines += [f"| {k['task']} | {k['source']} | {k.get('analyzer', '')} "
              f"{k.get('table', '')} | {k.get('evidence_sha256', '')} |"
              for k in d["answer_keys"]]
    lines += ["", f"_Generated by dflab {d['dflab_version']}._", ""]
    return "\n".join(lines)


def _html(d: dict[str, Any]) -> str:
    def table(headers: list[str], rows: list[list[Any]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c or ''))}</td>" for c in r)
                       + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    s = d["score"]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(d['scenario']['title'])}</title><style>body{{font-family:sans-serif;"
        "max-width:60em;margin:2em auto}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}"
        "code{font-size:.9em}</style></head><body>",
        f"<h1>{html.escape(d['scenario']['title'])}</h1>",
        f"<p>Session <code>{d['session']}</code> · trainee {html.escape(d['trainee'])} · "
        f"started {d['started']} · score {s['score']:g}/{s['max_score']:g} ({s['percent']}%)</p>",
        "<h2>Evidence</h2>",
        table(["file", "sha256 (manifest)", "status"],
              [[e["name"], e["sha256"], _evidence_status(e)] for e in d["evidence"]]),
        "<h2>Findings</h2>",
        table(["task", "question", "finding", "result", "points"],
              [[t["id"], t["question"], t["finding"], t["state"],
                f"{t['earned']:g}/{t['points']:g}"] for t in d["tasks"]]),
        "<h2>Timeline of attempts</h2>",
        table(["time", "task", "answer", "verdict"],
              [[a["at"], a["task"], a["value"], a["verdict"]] for a in d["timeline"]]),
        f"<p><small>Generated by dflab {d['dflab_version']}.</small></p></body></html>\n",
    ]
    return "\n".join(parts)
