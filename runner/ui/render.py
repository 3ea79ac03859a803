"""Rich renderables for the CLI: tables and summaries (the only layer that imports rich)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from runner.session.labtext import EN, tr

STATUS_STYLE = {"correct": "green", "partial": "yellow", "wrong": "red", "invalid": "magenta",
                "unanswered": "dim", "locked": "dim", "open": ""}


def fmt(value: float) -> str:
    """Points as people write them: 17.02, 10, 2.5."""
    return f"{round(value, 2):g}"


def when(ts: float | None) -> str:
    """A local time with its UTC offset, so times read the same on any machine."""
    return time.strftime("%Y-%m-%d %H:%M %z", time.localtime(ts)) if ts else ""


def scenario_table(rows: Iterable[dict[str, Any]]) -> Table:
    table = Table(title="Scenarios", box=box.SIMPLE_HEAD)
    for col in ("id", "title", "level", "min", "block", "lang"):
        # Ids and levels stay whole (trainees copy ids into 'dflab start'); titles, blocks
        # and language codes fold to what is left at 80 columns.
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "level", "min"),
                         min_width={"title": 10, "lang": 2}.get(col))
    for r in rows:
        table.add_row(r["id"], r["title"], r["difficulty"], str(r["minutes"]),
                      ", ".join(r.get("blocks", [])),
                      " ".join(r.get("languages", [])))
    return table


def checker_table(rows: Iterable[dict[str, Any]]) -> Table:
    table = Table(title="Answer types", box=box.SIMPLE_HEAD)
    table.add_column("type")
    table.add_column("what it judges", overflow="fold")
    table.add_column("parameters", overflow="fold")
    table.add_column("sealable")
    table.add_column("input")
    for r in rows:
        params = "\n".join(f"{p['name']}: {p['type']} = {p['default']}" for p in r["params"])
        table.add_row(r["name"], r["summary"], params or "-", "yes" if r["sealable"] else "no",
                      r["input"])
    return table


def problems_table(problems: Iterable[Any]) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    for col in ("where", "field", "problem", "fix"):
        table.add_column(col, overflow="fold")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        table.add_row(f"{p.file}:{p.line}", p.field, Text(p.message, style=style), p.fix)
    return table


def results_table(title: str, results: Iterable[dict[str, Any]], total: dict[str, Any]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, show_footer=True)
    table.add_column("task", footer="total")
    table.add_column("verdict")
    table.add_column("points", justify="right",
                     footer=f"{fmt(total['score'])}/{fmt(total['max_score'])}")
    table.add_column("feedback", overflow="fold", footer=f"{total['percent']}%")
    for r in results:
        status = r["status"]
        table.add_row(r["task"], Text(status, style=STATUS_STYLE.get(status, "")),
                      f"{fmt(r['earned'])}/{fmt(r['points'])}", r["feedback"])
    return table


def sessions_table(rows: Iterable[dict[str, Any]], title: str = "Sessions") -> Table:
    """Personal sessions, or with ``class`` keys in the rows, class seats. The session id
    and the start time never wrap (people copy the id); names fold to fit 80 columns.
    The backend is left to ``--json`` and ``dflab status ID``."""
    rows = list(rows)
    seats = any("class" in r for r in rows)
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("session", no_wrap=True)
    # A seat's scenarios are in 'dflab class status': the seat's row stays on one line.
    for col in ("class/seat", "trainee") if seats else ("scenario", "trainee"):
        table.add_column(col, overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("score", no_wrap=True, justify="right")
    table.add_column("started", min_width=11)  # wraps between date and time if need be
    for r in rows:
        cells = [r["id"], f"{r['class']}/{r['seat']}" if seats else r["scenario"]]
        cells += [r["trainee"], r["status"],
                  f"{fmt(r['score'])}/{fmt(r['max_score'])}", when(r["created_at"])]
        table.add_row(*cells)
    return table


def tasks_table(title: str, rows: Iterable[dict[str, Any]], total: dict[str, Any],
                lang: str = "en") -> Table:
    """A session's tasks; headers and states in the session's language."""
    table = Table(title=title, box=box.SIMPLE_HEAD, show_footer=True)
    table.add_column(tr("col.task", lang), footer=tr("col.total", lang))
    table.add_column(tr("col.state", lang))
    table.add_column(tr("col.points", lang), justify="right",
                     footer=f"{fmt(total['score'])}/{fmt(total['max_score'])}")
    table.add_column(tr("col.attempts", lang), justify="right", footer=str(total["attempts"]))
    table.add_column(tr("col.hints", lang), justify="right", footer=str(total["hints"]))
    for r in rows:
        state = r["state"]
        label = tr(f"state.{state}", lang) if f"state.{state}" in EN else state
        table.add_row(r["id"], Text(label, style=STATUS_STYLE.get(state, "")),
                      f"{fmt(r['earned'])}/{fmt(r['points'])}", str(r["attempts"]),
                      str(r["hints_taken"]))
    return table
