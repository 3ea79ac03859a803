"""The shape shared by the named SQLite extractors (phone and browser databases).

An extractor recognises its database by the tables and columns it needs, and on any
other database leaves its tables empty without a warning (a Chrome History is not a
damaged SMS store). A table that is there but cannot be read is a warning.
"""

from __future__ import annotations

import sqlite3
from typing import Any, ClassVar

from runner.evidence.analyzers.base import KindAnalyzer, Tables
from runner.evidence.artifacts.sqlitedb import columns, query, tables


class SqlExtractor(KindAnalyzer):
    """Subclasses set ``needs`` (table: columns that must exist) and fill ``self.rows``."""

    kinds = frozenset({"sqlite"})
    needs: ClassVar[dict[str, frozenset[str]]] = {}

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        db: sqlite3.Connection = source
        present = tables(db)
        for table, cols in self.needs.items():
            if table not in present or not cols <= columns(db, table):
                return
        self.extract(db, present)

    def extract(self, db: sqlite3.Connection, present: set[str]) -> None:
        """Fill ``self.rows``; called only when the needed tables are present."""
        raise NotImplementedError

    def query(self, db: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
        """Rows of ``sql``; a damaged table is a warning naming this extractor."""
        return query(db, sql, self.note)

    def finish(self) -> Tables:
        return dict(self.rows)
