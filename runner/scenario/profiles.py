"""Lab profiles (``labs/<id>.yaml``): the one place they are found and read.

The scenario loader, the early container start and the image builder all ask
here, so a profile is looked up on the same search path and read with the same
strict YAML rules everywhere.
"""

from __future__ import annotations

from pathlib import Path

from runner.errors import InputError, NotFoundError
from runner.paths import project_root
from runner.scenario.model import LabProfile
from runner.scenario.problems import Collector, ScenarioError, nearest, yaml_warnings
from runner.scenario.strict import validate_model
from runner.scenario.yamlsrc import load_source


def profile_dirs(scenario_path: Path | None = None) -> list[Path]:
    """Where lab profiles are looked up: beside the scenario's folder, then the project's."""
    dirs = [project_root() / "labs"]
    if scenario_path is not None:
        dirs.insert(0, scenario_path.resolve().parent.parent / "labs")
    return list(dict.fromkeys(dirs))


def known_profiles(scenario_path: Path | None = None) -> list[str]:
    """Ids of every profile on the search path, sorted."""
    return sorted({p.stem for d in profile_dirs(scenario_path) for p in d.glob("*.yaml")})


def find_profile(name: str, scenario_path: Path | None = None) -> Path:
    """The file of profile ``name``, first match on the search path.

    Raises:
        NotFoundError: no such profile (with the nearest known name).
    """
    for folder in profile_dirs(scenario_path):
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    known = known_profiles(scenario_path)
    near = nearest(name, known)
    raise NotFoundError(f"unknown lab profile '{name}'",
                        fix=f"did you mean '{near}'?" if near else
                        f"use one of: {', '.join(known)}")


def read_profile_into(path: Path, name: str, out: Collector) -> LabProfile | None:
    """Strictly read profile file ``path`` (expected id ``name``); problems go to ``out``."""
    try:
        source = load_source(path)
    except InputError as exc:
        out.add(("lab",), f"lab profile unreadable: {exc.one_line()}", "fix the profile file")
        return None
    inner = Collector(source, path)
    inner.items += yaml_warnings(source)
    profile = validate_model(LabProfile, source.data, inner)
    out.items.extend(inner.items)
    if profile is not None and profile.id != name:
        out.add(("lab",), f"profile file {path} has id '{profile.id}'", f"set its id to '{name}'")
    return profile


def load_profile(name: str, scenario_path: Path | None = None) -> LabProfile:
    """Find and strictly read profile ``name``.

    Raises:
        NotFoundError: no such profile.
        ScenarioError: the profile file has problems (all of them).
    """
    return read_profile(find_profile(name, scenario_path), name)


def read_profile(path: Path, name: str) -> LabProfile:
    """Strictly read the profile file ``path``, whose id must be ``name``.

    Raises:
        ScenarioError: the profile file has problems (all of them).
    """
    out = Collector(None, path)
    profile = read_profile_into(path, name, out)
    if profile is None or out.errors:
        raise ScenarioError(out.errors or out.items)
    return profile
