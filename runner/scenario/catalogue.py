"""The scenario catalogue: shipped scenarios plus any folders in ``DFLAB_SCENARIOS``."""

from __future__ import annotations

import os
from pathlib import Path

from runner.errors import NotFoundError, show_path
from runner.paths import project_root
from runner.scenario.problems import nearest
from runner.scenario.yamlsrc import load_source

DEFAULT_SCENARIO = "port-scan-triage"


def catalogue_dirs(env: dict[str, str] | None = None) -> list[Path]:
    env = dict(os.environ) if env is None else env
    extra = [Path(p) for p in env.get("DFLAB_SCENARIOS", "").split(os.pathsep) if p]
    return [*extra, project_root() / "scenarios"]


def scenario_files(env: dict[str, str] | None = None) -> list[Path]:
    files: list[Path] = []
    for folder in catalogue_dirs(env):
        files += sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    return files


def scenario_id_of(path: Path) -> str:
    """The id a file declares, or its stem when it cannot be read (listing must not fail)."""
    try:
        data = load_source(path).data
    except Exception:
        return path.stem
    return str(data.get("id", path.stem)) if isinstance(data, dict) else path.stem


def resolve_ref(ref: str, env: dict[str, str] | None = None) -> Path:
    """A path to a scenario file, or the id of one in the catalogue."""
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") or os.sep in ref:
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a name too long for the system: not found either
            pass
        raise NotFoundError(f"scenario file not found: {show_path(ref)}", fix="check the path")
    files = scenario_files(env)
    # Fast path: a catalogue file is usually named after its id.
    for path in files:
        if path.stem == ref and scenario_id_of(path) == ref:
            return path
    ids = {scenario_id_of(p): p for p in files}
    if ref in ids:
        return ids[ref]
    near = nearest(ref, ids)
    raise NotFoundError(f"no scenario '{show_path(ref)}' in the catalogue",
                        fix=f"did you mean '{near}'?" if near else "'dflab list' shows them")
