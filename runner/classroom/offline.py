"""Grading answer sheets handed in offline: one file per trainee, recorded for the export."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from runner.classroom.lifecycle import load_class_scenarios
from runner.errors import InputError, NotFoundError, show_path
from runner.generate.materialize import materialize
from runner.home import Home
from runner.session.grading import grade, load_sheet, total

SHEET_SUFFIXES = (".yaml", ".yml", ".json")


def _sheets(folder: Path, seats: set[str], scenarios: list[str]
            ) -> dict[tuple[str, str], Path]:
    """``<seat>.yaml`` (one scenario) or ``<seat>.<scenario>.yaml``, by (seat, scenario)."""
    found: dict[tuple[str, str], Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in SHEET_SUFFIXES or not path.is_file():
            continue
        stem = path.stem
        seat, _, scenario = stem.partition(".")
        if seat not in seats:
            raise InputError(f"no seat '{seat}' for answer file {path.name}", where=str(folder),
                             fix="name files <seat>.yaml after the seats in 'dflab class status'")
        if not scenario:
            if len(scenarios) != 1:
                raise InputError(f"{path.name}: the class has several scenarios",
                                 where=str(folder), fix=f"name it {seat}.<scenario>.yaml")
            scenario = scenarios[0]
        if scenario not in scenarios:
            raise InputError(f"{path.name}: the class has no scenario '{scenario}'",
                             where=str(folder), fix=f"use one of: {', '.join(scenarios)}")
        found[(seat, scenario)] = path
    return found


def grade_folder(home: Path, name: str, folder: Path) -> list[dict[str, Any]]:
    """Grade every answer file in ``folder``; all are checked before anything is recorded."""
    try:
        found = folder.is_dir()
    except OSError:  # a name too long for the system
        found = False
    if not found:
        raise NotFoundError(f"no folder {show_path(folder)}",
                            fix="give the folder holding <seat>.yaml files")
    with Home(home).classes() as classes:
        cls = classes.get(name)
        loaded = load_class_scenarios(cls, verify=True)
        sheets = _sheets(folder, {s.seat for s in classes.seats(name)}, list(cls.scenarios))
        if not sheets:
            raise InputError("no answer files found", where=str(folder),
                             fix="put one <seat>.yaml per trainee in the folder")
        rows: list[tuple[str, str, str, str, float, float, str]] = []
        report = []
        seeds = {s.seat: s.seed for s in classes.seats(name)}
        for (seat, scenario), path in sheets.items():
            with tempfile.TemporaryDirectory(prefix="dflab-seat-variant-") as tmp:
                # each seat's sheet is judged against the seat's own variant
                mine = materialize(loaded[scenario], seeds[seat], Path(tmp))
                results = grade(mine, load_sheet(path), folder, cache_dir=Home(home).cache,
                                where=str(path))
            for r in results:
                rows.append((seat, scenario, r.task, r.state.value, r.earned, r.points,
                             path.name))
            report.append({"seat": seat, "scenario": scenario, "file": path.name,
                           **total(results)})
        classes.record_grades(name, rows)
        return report
