"""Where dflab keeps what it writes: one home folder, movable with ``DFLAB_HOME``."""

from __future__ import annotations

import os
from pathlib import Path


def dflab_home(env: dict[str, str] | None = None) -> Path:
    """Return the folder holding the session store, lab workspaces and caches.

    ``DFLAB_HOME`` wins; otherwise the XDG data folder, so a trainee's work
    survives reboots without touching the project checkout.
    """
    env = dict(os.environ) if env is None else env
    if env.get("DFLAB_HOME"):
        return Path(env["DFLAB_HOME"]).expanduser().resolve()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser().resolve() / "dflab"


def project_root() -> Path:
    """The checkout (or install) root holding ``scenarios/``, ``labs/``, ``pcaps/``."""
    override = os.environ.get("DFLAB_ROOT")
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parent.parent
