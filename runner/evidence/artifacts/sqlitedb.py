"""SQLite evidence opened so that nothing can change it.

``mode=ro`` refuses writes and ``immutable=1`` tells SQLite the file cannot change,
so it takes no locks, never creates or replays a ``-wal``/``-journal`` file and never
checkpoints: the evidence's bytes (and its SHA-256) stay exactly as seized. The price:
a write-ahead log beside it is not read (docs/facts.md says so).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from runner.errors import EvidenceError

# sqlite3 decodes SQLite's error messages as UTF-8; a damaged schema quoted in one
# raises UnicodeDecodeError instead of DatabaseError.
SQL_ERRORS = (sqlite3.Error, UnicodeDecodeError)


def connect(path: Path) -> sqlite3.Connection:
    """A read-only, immutable connection to ``path``.

    Raises:
        EvidenceError: SQLite cannot read the file's header or schema.
    """
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        # Text that is not valid UTF-8 (a damaged or hostile row) is shown, not fatal.
        db.text_factory = lambda raw: raw.decode("utf-8", "replace")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except SQL_ERRORS as exc:
        raise EvidenceError(
            f"SQLite cannot read the database: {exc}", where=str(path),
            fix="check the file; `sqlite3 FILE .recover` may save some rows") from None
    return db


def tables(db: sqlite3.Connection) -> set[str]:
    """Names of the tables in the schema (views and indexes excluded)."""
    try:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except SQL_ERRORS:
        return set()  # the sqlite analyzer reports the unreadable schema


def columns(db: sqlite3.Connection, table: str) -> set[str]:
    """Column names of a table ('' set when it cannot be read)."""
    try:
        return {r[1] for r in db.execute(f"PRAGMA table_info({quote_name(table)})")}
    except SQL_ERRORS:
        return set()


def quote_name(name: str) -> str:
    """An identifier quoted for SQL (table names in evidence are not trusted)."""
    return '"' + name.replace('"', '""') + '"'


def query(db: sqlite3.Connection, sql: str, note: Callable[[str], None],
          params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rows of a query as dicts; a damaged table costs a warning and gives no rows.

    Values that are not JSON scalars (BLOBs) become their hex text.
    """
    try:
        cursor = db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [{n: _scalar(v) for n, v in zip(names, row, strict=True)} for row in cursor]
    except SQL_ERRORS as exc:
        note(f"query failed ({exc}): {sql.rsplit(' FROM ', maxsplit=1)[-1][:80]}")
        return []


def _scalar(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    return value


def text(value: Any) -> str:
    """A column value as text ('' for NULL)."""
    return "" if value is None else str(value)


def integer(value: Any, default: int = -1) -> int:
    """A column value as an integer (``default`` for NULL or text that is not one)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default
