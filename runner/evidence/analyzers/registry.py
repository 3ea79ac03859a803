"""The one registry of analyzers, by name; registering a name twice is refused."""

from __future__ import annotations

from typing import TypeVar

from runner.errors import InputError
from runner.evidence.analyzers.base import Analyzer, Field

A = TypeVar("A", bound=type[Analyzer])

_REGISTRY: dict[str, type[Analyzer]] = {}


class DuplicateAnalyzerError(ValueError):
    """Two analyzers claimed the same name: a packaging bug, caught at import."""


def register(cls: A) -> A:
    """Class decorator adding an analyzer to the registry.

    Raises:
        DuplicateAnalyzerError: the name is empty or already taken.
    """
    if not cls.name:
        raise DuplicateAnalyzerError(f"{cls.__qualname__} has no name")
    if cls.name in _REGISTRY:
        raise DuplicateAnalyzerError(
            f"analyzer name {cls.name!r} is already registered by {_REGISTRY[cls.name].__module__}"
        )
    _REGISTRY[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove an analyzer (tests only)."""
    _REGISTRY.pop(name, None)


def all_analyzers() -> dict[str, type[Analyzer]]:
    """Every registered analyzer, in registration order."""
    _load_builtins()
    return dict(_REGISTRY)


def get(name: str) -> type[Analyzer]:
    """Look up an analyzer by name.

    Raises:
        InputError: no analyzer has that name.
    """
    analyzers = all_analyzers()
    if name not in analyzers:
        raise InputError(
            f"unknown analyzer {name!r}",
            fix=f"use one of: {', '.join(analyzers)}",
        )
    return analyzers[name]


def table_fields(table: str) -> tuple[Field, ...] | None:
    """The fields of an ``analyzer.table`` name, or None when no such table exists."""
    analyzer, _, short = table.partition(".")
    cls = all_analyzers().get(analyzer)
    if cls is None:
        return None
    return cls.tables.get(short)


def all_tables() -> dict[str, tuple[Field, ...]]:
    """Every ``analyzer.table`` name with its fields."""
    return {
        f"{name}.{table}": fields
        for name, cls in all_analyzers().items()
        for table, fields in cls.tables.items()
    }


def _load_builtins() -> None:
    import runner.evidence.analyzers  # noqa: F401 - importing registers the built-ins
