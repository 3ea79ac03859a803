"""Evidence integrity: SHA-256 of every evidence file, checked at start and stop.

A forensic lab teaches chain of custody, so it keeps one: the scenario states
each file's hash, and a lab never starts on evidence that does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner import digest
from runner.errors import IntegrityError


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of an evidence file (see :func:`runner.digest.sha256_file`)."""
    return digest.sha256_file(path, what="evidence file")


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence file: its name inside the lab, host path and expected hash."""

    name: str
    path: Path
    sha256: str


@dataclass(frozen=True)
class Check:
    name: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.expected.lower() == self.actual.lower()


def check_manifest(files: list[EvidenceFile], paths: dict[str, Path] | None = None) -> list[Check]:
    """Hash every file (or the copies in ``paths``, by name) against the manifest."""
    checks = []
    for item in files:
        target = (paths or {}).get(item.name, item.path)
        checks.append(Check(item.name, item.sha256, sha256_file(target)))
    return checks


def require_intact(checks: list[Check], moment: str) -> None:
    """Raise :class:`IntegrityError` naming the first file whose hash differs."""
    bad = [c for c in checks if not c.ok]
    if bad:
        first = bad[0]
        raise IntegrityError(
            f"evidence '{first.name}' does not match its manifest {moment}: expected sha256 "
            f"{first.expected[:16]}..., found {first.actual[:16]}..."
            + (f" ({len(bad) - 1} more file(s) differ)" if len(bad) > 1 else ""),
            fix="restore the original evidence file, or, if the change is intended, "
            "update its sha256 in the scenario",
        )
