"""A course as people read it: titles, levels and timings of its scenarios, and progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.errors import DflabError
from runner.scenario.course import LoadedCourse
from runner.scenario.i18n import pick_text


def course_summary(course: LoadedCourse, lang: str = "en") -> dict[str, Any]:
    """One row of ``dflab course list``."""
    items = course.model.items()
    planned = [i for i in items if i.scenario not in course.scenario_paths]
    minutes = sum(d.minutes or 0 for d in course.model.days)
    return {"id": course.id, "title": pick_text(course.model.title, lang),
            "days": len(course.model.days), "scenarios": len(items) - len(planned),
            "planned": len(planned), "minutes": minutes, "path": str(course.path)}


def course_detail(course: LoadedCourse, lang: str = "en",
                  finished: set[str] | None = None) -> dict[str, Any]:
    """The whole course, day by day, with each scenario's title, level and state."""
    from runner.scenario.loader import load_scenario

    m = course.model
    days = []
    for day in m.days:
        items = []
        for item in day.scenarios:
            row: dict[str, Any] = {
                "scenario": item.scenario, "title": "", "level": "", "minutes": item.minutes,
                "objectives": [pick_text(o, lang) for o in item.objectives],
                "prerequisites": list(item.prerequisites),
                "state": "planned", "path": None}
            path = course.scenario_paths.get(item.scenario)
            if path is not None:
                row["path"] = str(path)
                row["state"] = "finished" if item.scenario in (finished or set()) else "ready"
                try:
                    sc = load_scenario(path, verify_evidence=False).model
                    row.update(title=pick_text(sc.title, lang), level=sc.difficulty,
                               minutes=item.minutes or sc.estimated_minutes)
                except DflabError as exc:
                    row["state"] = f"broken: {exc.one_line()}"
            items.append(row)
        days.append({"title": pick_text(day.title, lang), "minutes": day.minutes,
                     "objectives": [pick_text(o, lang) for o in day.objectives],
                     "scenarios": items})
    return {"id": m.id, "title": pick_text(m.title, lang),
            "description": pick_text(m.description, lang),
            "audience": pick_text(m.audience, lang),
            "prerequisites": [pick_text(p, lang) for p in m.prerequisites], "days": days}


def finished_scenarios(home: Path) -> set[str]:
    """Ids of the scenarios the trainee of this home has finished (a stopped own session)."""
    from runner.home import Home

    if not Home(home).db.exists():
        return set()
    from runner.session.runtime import open_store

    with open_store(home) as store:
        return {r.scenario_id for r in store.sessions("stopped") if not r.seat}


def next_scenario(course: LoadedCourse, finished: set[str]) -> Path | None:
    """The first scenario of the course that exists and is not finished (planned skipped)."""
    for item in course.model.items():
        path = course.scenario_paths.get(item.scenario)
        if path is not None and item.scenario not in finished:
            return path
    return None
