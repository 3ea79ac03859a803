"""The error types users can meet, and the one exit-code enum.

Every failure a user can cause or fix is a :class:`DflabError`: it prints as
one line naming what went wrong, where, and how to fix it. Anything else that
escapes is a bug and is reported as such (traceback only with ``--debug``).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes shared by ``dflab`` and the in-lab ``lab`` client."""

    OK = 0
    NOT_ALL_CORRECT = 1  # grading ran fine but not every task scored full marks
    USAGE = 2
    INVALID_INPUT = 3  # scenario, roster, answer file or capture cannot be used
    NOT_FOUND = 4
    INTEGRITY = 5  # evidence does not match its manifest
    REFUSED = 6  # attempt limit, rate limit, locked task, closed session
    BACKEND = 7  # Docker engine or lab environment failure
    STORE = 8  # session database unreadable
    INTERNAL = 70
    INTERRUPTED = 130


class DflabError(Exception):
    """A failure the user can understand and act on."""

    code: ExitCode = ExitCode.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        fix: str | None = None,
        code: ExitCode | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.fix = fix
        if code is not None:
            self.code = code

    def one_line(self) -> str:
        """Render as ``where: message (fix: ...)`` on a single line."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text = f"{text} (fix: {self.fix})"
        return " ".join(text.split())


class UsageError(DflabError):
    code = ExitCode.USAGE


class InputError(DflabError):
    code = ExitCode.INVALID_INPUT


class NotFoundError(DflabError):
    code = ExitCode.NOT_FOUND


class IntegrityError(DflabError):
    code = ExitCode.INTEGRITY


class RefusedError(DflabError):
    code = ExitCode.REFUSED


class BackendError(DflabError):
    code = ExitCode.BACKEND


class StoreError(DflabError):
    code = ExitCode.STORE


class EvidenceError(InputError):
    """An evidence file that cannot be read at all: no kind recognises it, or its
    container (E01, gzip) is broken beyond use. Damage part way is a warning instead."""


class CaptureError(EvidenceError):
    """A capture file that cannot be read at all (not merely a damaged packet)."""


def show_path(path: object, limit: int = 120) -> str:
    """A path as a message shows it: control bytes visible, a pathological length cut."""
    text = str(path).replace("\0", "\\0")
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[-half:]} ({len(text)} characters)"
