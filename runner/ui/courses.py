"""Tables of the course catalogue: the list of courses and one course day by day."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich import box
from rich.table import Table


def course_table(rows: Iterable[dict[str, Any]]) -> Table:
    table = Table(title="Courses", box=box.SIMPLE_HEAD)
    for col in ("id", "title", "days", "scenarios", "planned", "hours"):
        table.add_column(col, overflow="fold", no_wrap=col != "title",
                         ratio=1 if col == "title" else None)
    for r in rows:
        table.add_row(r["id"], r["title"], str(r["days"]), str(r["scenarios"]),
                      str(r["planned"]), f"{r['minutes'] / 60:.1f}")
    return table


def course_plan_table(course: dict[str, Any]) -> Table:
    table = Table(title=course["title"], box=box.SIMPLE_HEAD, caption=course.get("description"),
                  expand=True)
    # Only the titles give way on a narrow terminal: ids, levels and states stay whole
    # (a trainer copies the scenario id into 'dflab start').
    for col in ("day", "scenario", "title", "level", "min", "after", "state"):
        table.add_column(col, overflow="fold", no_wrap=col not in ("title", "after"),
                         ratio=1 if col == "title" else None)
    for d, day in enumerate(course["days"], start=1):
        table.add_row(str(d), "", f"[bold]{day['title']}[/]", end_section=True)
        for i, item in enumerate(day["scenarios"]):
            table.add_row("", item["scenario"],
                          item["title"], item["level"], str(item["minutes"] or ""),
                          ", ".join(item["prerequisites"]), item["state"],
                          end_section=i == len(day["scenarios"]) - 1)
    return table
