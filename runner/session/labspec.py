"""How a session's lab is described to a backend: names, folders and owner tag.

Kept free of heavy imports: ``dflab start`` builds a spec from the raw scenario
to start the container while the full validation is still loading.
"""

from __future__ import annotations

from pathlib import Path

from runner.backends.base import LabSpec, Limits
from runner.home import Home


def home_owner(home: Path) -> str:
    """A stable tag of one dflab home, so 'dflab gc' leaves other homes' labs alone."""
    return Home(home).owner


def service_dir(home: Path, session_id: str) -> Path:
    """Folder for the session socket (see :meth:`Home.service_dir`)."""
    return Home(home).service_dir(session_id)


def make_spec(home: Path, session_id: str, *, scenario_id: str, title: str, profile: str,
              image: str, limits: Limits, evidence: tuple[tuple[str, Path], ...],
              seat: str = "", lang: str = "en") -> LabSpec:
    """The one place a :class:`LabSpec` is put together (``lang``: the lab's messages)."""
    return LabSpec(
        session_id=session_id, scenario_id=scenario_id, title=title, profile=profile,
        image=image, limits=limits, evidence=evidence,
        service_dir=Home(home).service_dir(session_id), work_dir=Home(home).work_dir(session_id),
        seat=seat, env={"DFLAB_TITLE": title, "DFLAB_LANG": lang, "LANG": "C.UTF-8"},
        owner=Home(home).owner,
    )
