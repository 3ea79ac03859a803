"""Problems found in a scenario: collected, never raised one at a time."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from runner.errors import ExitCode, InputError
from runner.scenario.yamlsrc import PathKey, Source, format_path


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a file, with where and how to fix it."""

    file: str
    line: int
    field: str
    message: str
    fix: str = ""
    severity: str = "error"

    def one_line(self) -> str:
        text = f"{self.file}:{self.line}: {self.field}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "fix": self.fix,
            "severity": self.severity,
        }


class Collector:
    """Gathers problems for one source file."""

    def __init__(self, source: Source | None, file: Path) -> None:
        self.source = source
        self.file = str(file)
        self.items: list[Problem] = []

    def add(self, path: PathKey, message: str, fix: str = "", severity: str = "error") -> None:
        line = self.source.line_of(path) if self.source else 1
        self.items.append(Problem(self.file, line, format_path(path), message, fix, severity))

    def warn(self, path: PathKey, message: str, fix: str = "") -> None:
        self.add(path, message, fix, severity="warning")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]


def yaml_warnings(source: Source) -> list[Problem]:
    """A warning for each value YAML read otherwise than it was typed (with the fix)."""
    out = Collector(source, source.path)
    for at, _line, message, fix in source.changed:
        out.warn(at, message, fix)
    return out.items


def nearest(name: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return found[0] if found else None


class ScenarioError(InputError):
    """A scenario (or lab profile) with problems; carries all of them."""

    code = ExitCode.INVALID_INPUT

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s): run 'dflab validate')" if len(
            problems
        ) > 1 else ""
        super().__init__(
            f"{first.field}: {first.message}{more}",
            where=f"{first.file}:{first.line}",
            fix=first.fix or None,
        )
        self.problems = problems
