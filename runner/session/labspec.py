"""How a session's lab is described to a backend: names, folders and owner tag.

Kept free of heavy imports: ``dflab start`` builds a spec from the raw scenario
to start the container while the full validation is still loading.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from runner.backends.base import LAB_SOCKET_NAME, LabSpec, Limits

MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux; keep a margin


def home_owner(home: Path) -> str:
    """A stable tag of one dflab home, so 'dflab gc' leaves other homes' labs alone."""
    return hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:16]


def service_dir(home: Path, session_id: str) -> Path:
    """Folder for the session socket; a short fallback when DFLAB_HOME is deep."""
    preferred = home / "run" / session_id
    if len(str(preferred / LAB_SOCKET_NAME)) <= MAX_SOCKET_PATH:
        return preferred
    return Path(tempfile.gettempdir()) / f"dflab-{os.getuid()}" / session_id


def make_spec(home: Path, session_id: str, *, scenario_id: str, title: str, profile: str,
              image: str, limits: Limits, evidence: tuple[tuple[str, Path], ...],
              seat: str = "") -> LabSpec:
    """The one place a :class:`LabSpec` is put together."""
    return LabSpec(
        session_id=session_id, scenario_id=scenario_id, title=title, profile=profile,
        image=image, limits=limits, evidence=evidence,
        service_dir=service_dir(home, session_id), work_dir=home / "labs" / session_id / "work",
        seat=seat, env={"DFLAB_TITLE": title, "LANG": "C.UTF-8"}, owner=home_owner(home),
    )
