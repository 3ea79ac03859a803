"""Evidence integrity: SHA-256 of every evidence file, checked at start and stop.

A forensic lab teaches chain of custody, so it keeps one: the scenario states
each file's hash, and a lab never starts on evidence that does not match.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from runner import digest
from runner.errors import CaptureError, InputError, IntegrityError, show_path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of an evidence file (see :func:`runner.digest.sha256_file`)."""
    return digest.sha256_file(path, what="evidence file")


def open_capture(path: Path | str, buffering: int = -1) -> BinaryIO:
    """A capture opened for reading if it is a regular file (a device or FIFO would
    never end); the refusal is a :class:`CaptureError`."""
    return digest.open_regular(path, what="capture", buffering=buffering, error=CaptureError)


def resolve_evidence(base: Path, file: str) -> Path:
    """The absolute path of evidence ``file`` written relative to folder ``base``.

    Raises:
        InputError: a NUL byte or a symbolic-link loop in the path.
    """
    if "\0" in file:
        raise InputError("the evidence path contains a NUL byte", where=show_path(file),
                         fix="name the file without control characters")
    try:
        return (base / file).resolve()
    except (RuntimeError, OSError) as exc:  # 3.11 raises RuntimeError on a link loop
        raise InputError(f"the evidence path cannot be resolved ({exc.__class__.__name__}: a "
                         "symbolic-link loop?)", where=show_path(file),
                         fix="point 'file' at a real file") from None


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
