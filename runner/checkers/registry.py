"""The one registry of answer checkers: built-ins and entry-point plug-ins alike."""

from __future__ import annotations

from importlib.metadata import entry_points

from runner.checkers.base import Checker
from runner.errors import InputError

ENTRY_POINT_GROUP = "dflab.checkers.v1"


class CheckerRegistry:
    """Maps a checker name to its instance; refuses a second checker of a name."""

    def __init__(self) -> None:
        self._checkers: dict[str, Checker] = {}
        self.warnings: list[str] = []

    def register(self, checker_cls: type[Checker]) -> type[Checker]:
        name = getattr(checker_cls, "name", "")
        if not name:
            raise ValueError(f"{checker_cls.__qualname__} has no 'name'")
        if name in self._checkers:
            existing = type(self._checkers[name]).__qualname__
            raise ValueError(f"checker '{name}' is already registered by {existing}")
        self._checkers[name] = checker_cls()
        return checker_cls

    def get(self, name: str) -> Checker:
        try:
            return self._checkers[name]
        except KeyError:
            import difflib

            near = difflib.get_close_matches(name, self._checkers, n=1)
            fix = f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(self.names())}"
            raise InputError(f"unknown answer type '{name}'", fix=fix) from None

    def __contains__(self, name: object) -> bool:
        return name in self._checkers

    def names(self) -> list[str]:
        return sorted(self._checkers)

    def all(self) -> list[Checker]:
        return [self._checkers[n] for n in self.names()]

    def load_plugins(self) -> None:
        """Register third-party checkers; a broken plug-in is a warning, never a crash."""
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                self.register(ep.load())
            except Exception as exc:  # a plug-in must not take dflab down
                self.warnings.append(f"checker plug-in '{ep.name}' ignored: {exc}")
