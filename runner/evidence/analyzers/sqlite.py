"""SQLite databases: the header's figures and every table with its row count."""

from __future__ import annotations

import sqlite3
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.sqlitedb import SQL_ERRORS, integer, quote_name, text


@register
class SqliteAnalyzer(KindAnalyzer):
    name = "sqlite"
    version = "1"
    description = "SQLite databases: page figures, free pages, tables with row counts"
    kinds = frozenset({"sqlite"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "database": (
            Field("page_size", "int", "bytes per page (PRAGMA page_size)"),
            Field("page_count", "int", "pages in the file (PRAGMA page_count)"),
            Field("freelist_count", "int", "free pages, where deleted records may survive"),
            Field("user_version", "int", "PRAGMA user_version (apps store their schema version)"),
            Field("application_id", "int", "PRAGMA application_id"),
            Field("encoding", "str", "text encoding: UTF-8, UTF-16le, UTF-16be"),
            Field("wal", "bool", "the header says WAL journal mode (a -wal file beside it "
                  "may hold newer rows; it is not read)"),
            Field("tables", "int", "tables in the schema"),
        ),
        "tables": (
            Field("name", "str", "table name"),
            Field("rows", "int", "rows (SELECT count(*)), -1 when the table is unreadable"),
            Field("columns", "str", "column names, comma separated"),
            Field("sql", "str", "CREATE statement"),
        ),
    }

    def setup(self) -> None:
        self.database: list[dict[str, Any]] = []
        self.table_rows: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        db: sqlite3.Connection = source
        schema = self._schema(db)
        for name, sql in schema:
            self.table_rows.append({"name": name, "rows": self._count(db, name),
                                    "columns": ",".join(self._columns(db, name)), "sql": sql})
        self.database.append({
            "page_size": self._pragma(db, "page_size"),
            "page_count": self._pragma(db, "page_count"),
            "freelist_count": self._pragma(db, "freelist_count"),
            "user_version": self._pragma(db, "user_version"),
            "application_id": self._pragma(db, "application_id"),
            "encoding": text(self._pragma(db, "encoding", raw=True)),
            "wal": _wal(db), "tables": len(schema),
        })

    def _schema(self, db: sqlite3.Connection) -> list[tuple[str, str]]:
        try:
            return [(str(n), text(s)) for n, s in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        except SQL_ERRORS as exc:
            self.note(f"schema unreadable: {exc}")
            return []

    def _count(self, db: sqlite3.Connection, name: str) -> int:
        try:
            return int(db.execute(f"SELECT count(*) FROM {quote_name(name)}").fetchone()[0])
        except SQL_ERRORS as exc:
            self.note(f"table {name!r} unreadable: {exc}")
            return -1

    def _columns(self, db: sqlite3.Connection, name: str) -> list[str]:
        try:
            return [str(r[1]) for r in db.execute(f"PRAGMA table_info({quote_name(name)})")]
        except SQL_ERRORS:
            return []

    def _pragma(self, db: sqlite3.Connection, name: str, *, raw: bool = False) -> Any:
        try:
            row = db.execute(f"PRAGMA {name}").fetchone()
        except SQL_ERRORS as exc:
            self.note(f"PRAGMA {name} failed: {exc}")
            return "" if raw else -1
        value = row[0] if row else None
        return value if raw else integer(value)

    def finish(self) -> Tables:
        return {"database": self.database, "tables": self.table_rows}


def _wal(db: sqlite3.Connection) -> bool:
    """Header bytes 18 and 19 (file format write/read version) are 2 in WAL mode; read
    from the file, since an immutable connection reports the journal mode as 'delete'."""
    from pathlib import Path

    try:
        name = next((str(r[2]) for r in db.execute("PRAGMA database_list") if r[1] == "main"), "")
        with Path(name).open("rb") as handle:
            header = handle.read(20)
    except (*SQL_ERRORS, OSError):
        return False
    return header[18:20] == b"\x02\x02"
