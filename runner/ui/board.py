"""The classroom scoreboard: one rich table of every seat (no I/O here)."""

from __future__ import annotations

import time
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from runner.ui.render import fmt

SEAT_STYLE = {"running": "green", "paused": "yellow", "failed": "red", "ended": "dim",
              "stopped": "dim", "created": "dim"}


def clock(seconds: int | None) -> str:
    """``1:05:09`` / ``4:09``; ``-`` when there is no time box."""
    if seconds is None:
        return "-"
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def ago(ts: float | None, now: float) -> str:
    if not ts:
        return "-"
    return clock(int(now - ts)) + " ago"


class _Board:
    """The board, laid out when the console's width is known (a Live view may resize)."""

    def __init__(self, status: dict[str, Any], now: float) -> None:
        self.status, self.now = status, now

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _table(self.status, self.now, options.max_width)


def board_table(status: dict[str, Any], now: float | None = None) -> RenderableType:
    """The board of a class from :func:`runner.classroom.status.class_status` data."""
    return _Board(status, time.time() if now is None else now)


def _table(status: dict[str, Any], now: float, width: int) -> Table:
    frozen = " [collected]" if status["frozen"] else ""
    scenarios: list[str] = status["scenarios"]
    current = status.get("current") or ""
    if status.get("course"):
        at = scenarios.index(current) + 1 if current in scenarios else 1
        title = (f"Class {status['class']}{frozen}: course {status['course']}, "
                 f"now {current or scenarios[0]} ({at}/{len(scenarios)})")
    else:
        title = f"Class {status['class']}{frozen}: {', '.join(scenarios)}"
    table = Table(title=title, box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    rows = []
    for seat in status["seats"]:
        # "+ssh": the trainee is logged in through the gateway right now.
        state = (seat["status"] + ("+ssh" if seat.get("connected") else "")
                 + (" !" if seat["errors"] else "") + (" C" if seat.get("copied") else ""))
        left = seat["time_left"]
        left_style = "red" if left is not None and left < 300 else ""
        rows.append([
            Text(seat["seat"]), Text(seat["name"]),
            Text(state, style=SEAT_STYLE.get(seat["status"], "")),
            Text(f"{seat['solved']}/{seat['tasks']}"),
            Text(f"{fmt(seat['score'])}/{fmt(seat['max_score'])}"), Text(str(seat["attempts"])),
            Text(str(seat["hints"])), Text(ago(seat["last_activity"], now).replace(" ago", "")),
            Text(clock(left), style=left_style)])
    # Every column keeps its full width on an 80-column classroom terminal; only the
    # trainee's name gives way (cut with an ellipsis to what the others leave).
    headers = ["seat", "trainee", "state", "solved", "score", "tries", "hints", "idle", "left"]
    shown = _scenario_columns(scenarios, current, width - _others(_widest(headers, rows)))
    headers += [f"#{i + 1}" + ("*" if scenarios[i] == current else "") for i in shown]
    for row, seat in zip(rows, status["seats"], strict=True):
        row += [_percent(seat.get("by_scenario", {}).get(scenarios[i])) for i in shown]
    widest = _widest(headers, rows)
    others = _others(widest)
    for index, col in enumerate(headers):
        fixed = index != 1
        table.add_column(col, justify="left" if index < 3 else "right", no_wrap=True,
                         overflow="ellipsis", min_width=widest[index] if fixed else None,
                         max_width=None if fixed else max(len(col), width - others))
    for row in rows:
        table.add_row(*row)
    seats = status["seats"]
    mean = sum(s["percent"] for s in seats) / len(seats) if seats else 0.0
    online = sum(1 for s in seats if s.get("connected"))
    table.caption = (f"{len(seats)} seats, {sum(1 for s in seats if s['status'] == 'running')} "
                     f"running, {online} connected; mean {mean:.1f}%")
    # /work over the profile's work_mb is watched, not enforced (docs/classroom.md).
    over = [s["seat"] for s in seats if s.get("work_over_quota")]
    if over:
        table.caption += f"\n/work over quota (not enforced): {', '.join(over)}"
    if shown:
        table.caption += "\n" + ", ".join(f"#{i + 1} {scenarios[i]}" for i in shown) + (
            " (* now)" if current else "")
    if any(s.get("copied") for s in seats):
        table.caption += "\nC: an answer right for another seat's variant only (copied?)"
    return table


def _widest(headers: list[str], rows: list[list[Text]]) -> list[int]:
    return [max([len(col), *(r[i].cell_len for r in rows)]) for i, col in enumerate(headers)]


def _others(widest: list[int]) -> int:
    """Cells every column but the trainee's name (column 1) takes: its widest cell, plus 3
    per column boundary (padding and the box's blank rule) and 1 per edge."""
    return sum(w for i, w in enumerate(widest) if i != 1) + 3 * (len(widest) - 1) + 2


_SCENARIO_WIDTH = 7  # "#10*" or "100%" and the column boundary
_NAME_WIDTH = 7  # the least a trainee's name keeps ("trainee")


def _scenario_columns(scenarios: list[str], current: str, room: int) -> list[int]:
    """Which scenarios get a percent column in ``room`` cells: all if they fit beside a
    short name, else only the current one."""
    if len(scenarios) < 2:
        return []
    if _NAME_WIDTH + _SCENARIO_WIDTH * len(scenarios) <= room:
        return list(range(len(scenarios)))
    return [scenarios.index(current)] if current in scenarios else []


def _percent(standing: dict[str, Any] | None) -> Text:
    if not standing:
        return Text("-", style="dim")
    return Text(f"{standing['percent']:.0f}%")
