"""Courses as files: scenarios ordered into days, with objectives, prerequisites, timings.

A course lives in ``scenarios/courses/`` (or a ``courses/`` folder beside any
folder of ``DFLAB_SCENARIOS``) and is read with the same strict YAML reader as a
scenario: every problem at once, each with file:line and a fix. A course may name
a scenario that is not in the catalogue yet only when the entry says
``planned: true`` (listed as planned, skipped by ``dflab start --course``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from runner.errors import NotFoundError, show_path
from runner.scenario.model import Ident, LocalText, Strict
from runner.scenario.problems import Collector, Problem, ScenarioError, nearest, yaml_warnings
from runner.scenario.strict import validate_model
from runner.scenario.yamlsrc import load_source


class CourseItem(Strict):
    scenario: Ident = Field(description="Id of a scenario in the catalogue.")
    minutes: int | None = Field(None, ge=1, description="Time planned (default: the "
                                "scenario's estimated_minutes).")
    objectives: list[LocalText] = Field(default_factory=list)
    prerequisites: list[Ident] = Field(default_factory=list,
                                       description="Scenarios of this course to finish first.")
    planned: bool = Field(False, description="Not in the catalogue yet: shown, never started.")


class CourseDay(Strict):
    title: LocalText
    objectives: list[LocalText] = Field(default_factory=list)
    minutes: int | None = Field(None, ge=1, description="Length of the day (teaching time).")
    scenarios: list[CourseItem] = Field(min_length=1)


class Course(Strict):
    schema_version: Literal[1]
    id: Ident
    title: LocalText
    description: LocalText = ""
    audience: LocalText = ""
    prerequisites: list[LocalText] = Field(default_factory=list,
                                           description="What trainees should know beforehand.")
    days: list[CourseDay] = Field(min_length=1)

    def items(self) -> list[CourseItem]:
        """Every scenario entry, in course order."""
        return [item for day in self.days for item in day.scenarios]


@dataclass
class LoadedCourse:
    path: Path
    model: Course
    scenario_paths: dict[str, Path]  # scenario id -> file, for the entries that exist

    @property
    def id(self) -> str:
        return self.model.id


def course_dirs(env: dict[str, str] | None = None) -> list[Path]:
    from runner.scenario.catalogue import catalogue_dirs

    return [folder / "courses" for folder in catalogue_dirs(env)]


def course_files(env: dict[str, str] | None = None) -> list[Path]:
    files: list[Path] = []
    for folder in course_dirs(env):
        files += sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    return files


def validate_course(path: Path, env: dict[str, str] | None = None
                    ) -> tuple[LoadedCourse | None, list[Problem]]:
    """Every problem in one course file, and the course when it has no errors."""
    from runner.errors import InputError

    try:
        source = load_source(path)
    except InputError as exc:
        return None, [Problem(exc.where or show_path(path), 1, "(file)", exc.message,
                              exc.fix or "")]
    out = Collector(source, path)
    for dup_path, _line in source.duplicates:
        out.add(dup_path, f"key '{dup_path[-1]}' appears twice", "keep one of them")
    out.items += yaml_warnings(source)
    model = validate_model(Course, source.data, out) if isinstance(source.data, dict) else None
    if not isinstance(source.data, dict):
        out.add((), "a course must be a YAML mapping", "start with 'schema_version: 1'")
    if model is None:
        return None, out.items
    found = _check_items(model, out, env)
    if out.errors:
        return None, sorted(out.items, key=lambda p: p.line)
    return LoadedCourse(path, model, found), out.items


def _check_items(model: Course, out: Collector, env: dict[str, str] | None) -> dict[str, Path]:
    from runner.scenario.catalogue import scenario_files, scenario_id_of

    ids = {scenario_id_of(p): p for p in scenario_files(env)}
    seen: list[str] = []
    found: dict[str, Path] = {}
    for d, day in enumerate(model.days):
        for i, item in enumerate(day.scenarios):
            at = ("days", d, "scenarios", i)
            if item.scenario in seen:
                out.add((*at, "scenario"), f"scenario '{item.scenario}' is named twice",
                        "keep one entry")
            if item.scenario in ids:
                found[item.scenario] = ids[item.scenario]
            elif not item.planned:
                near = nearest(item.scenario, ids)
                out.add((*at, "scenario"), f"no scenario '{item.scenario}' in the catalogue",
                        f"did you mean '{near}'?" if near else
                        "add 'planned: true' if it is still to be written")
            for pre in item.prerequisites:
                if pre not in seen:
                    out.add((*at, "prerequisites"), f"prerequisite '{pre}' does not come "
                            "earlier in this course", "name a scenario listed before this one")
            seen.append(item.scenario)
    return found


def load_course(path: Path, env: dict[str, str] | None = None) -> LoadedCourse:
    loaded, problems = validate_course(path, env)
    errors = [p for p in problems if p.severity == "error"]
    if errors or loaded is None:
        raise ScenarioError(errors or problems)
    return loaded


def resolve_course(ref: str, env: dict[str, str] | None = None) -> LoadedCourse:
    """A course by file path or by id."""
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return load_course(candidate, env)
    files = course_files(env)
    ids: dict[str, Path] = {}
    for path in files:
        try:
            data: Any = load_source(path).data
        except Exception:
            data = None
        ids[str(data.get("id", path.stem)) if isinstance(data, dict) else path.stem] = path
    if ref in ids:
        return load_course(ids[ref], env)
    near = nearest(ref, ids)
    raise NotFoundError(f"no course '{show_path(ref)}'",
                        fix=f"did you mean '{near}'?" if near else "'dflab course list' shows them")


def course_schema() -> dict[str, Any]:
    schema = Course.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://dflab.invalid/schema/course-v1.json"
    return schema
