"""Whose work ``dflab gc`` must keep: the seats of classes not yet exported."""

from __future__ import annotations

from pathlib import Path

from runner.home import Home


def unexported_sessions(home: Path) -> frozenset[str]:
    """Session ids of every seat lab of a class that was never exported."""
    with Home(home).classes() as classes:
        return frozenset(lab.session_id for cls in classes.classes()
                         if not classes.meta(cls.name, "exported_at")
                         for lab in classes.labs(cls.name) if lab.session_id)
