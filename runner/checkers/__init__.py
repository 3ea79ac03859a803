"""Answer checkers: one module per answer type, all registered here.

Every built-in module is listed in ``BUILTIN_MODULES`` and registered
explicitly (a test fails if a module in this folder is left out).
"""

from __future__ import annotations

from importlib import import_module

from runner.checkers.base import Checker
from runner.checkers.registry import CheckerRegistry

BUILTIN_MODULES = (
    "text",
    "regex",
    "number",
    "integer",
    "ip",
    "mac",
    "domain",
    "url",
    "email",
    "path",
    "geo",
    "hash",
    "timestamp",
    "choice",
    "set",
    "record",
    "sequence",
    "frames",
    "flows",
    "artifact",
)

_registry: CheckerRegistry | None = None


def registry() -> CheckerRegistry:
    """The process-wide registry, built on first use."""
    global _registry  # noqa: PLW0603 - one lazily built registry per process
    if _registry is None:
        reg = CheckerRegistry()
        for module_name in BUILTIN_MODULES:
            module = import_module(f"runner.checkers.{module_name}")
            reg.register(module.CHECKER)
        reg.load_plugins()
        _registry = reg
    return _registry


__all__ = ["BUILTIN_MODULES", "Checker", "CheckerRegistry", "registry"]
