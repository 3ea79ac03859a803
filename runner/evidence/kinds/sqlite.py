"""SQLite databases (phone and browser artifacts), opened read-only and immutable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register

SQLITE_MAGIC = b"SQLite format 3\x00"


@register
class SqliteKind(EvidenceKind):
    name = "sqlite"
    description = "SQLite database: tables, phone (SMS, calls, contacts, iMessage) and " \
        "browser (Chrome, Firefox) records"
    priority = 20

    def probe(self, head: Head) -> bool:
        return head.at(0, SQLITE_MAGIC)

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        from runner.evidence.artifacts.sqlitedb import connect

        db = connect(path)
        try:
            yield db
        finally:
            db.close()
