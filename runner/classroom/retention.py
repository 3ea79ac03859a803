"""What ``dflab gc`` must keep: the work of classes not yet exported, variants made ahead."""

from __future__ import annotations

from pathlib import Path

from runner.home import Home


def unexported_sessions(home: Path) -> frozenset[str]:
    """Session ids of every seat lab of a class that was never exported."""
    with Home(home).classes() as classes:
        return frozenset(lab.session_id for cls in classes.classes()
                         if not classes.meta(cls.name, "exported_at")
                         for lab in classes.labs(cls.name) if lab.session_id)


def prepared_variants(home: Path) -> frozenset[str]:
    """Session ids of the seats' variants made at ``class create`` (their folders are what
    ``class start`` takes instead of generating)."""
    with Home(home).classes() as classes:
        return frozenset(sid for cls in classes.classes()
                         for sid in classes.prepared(cls.name).values())
