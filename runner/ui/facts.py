"""Rich renderables for ``dflab facts``: capture summary, fact tables, table catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

# Columns that make a wide table hard to read in a terminal; kept in --json output.
_HIDDEN = frozenset(
    {
        "time",
        "first_time",
        "last_time",
        "first_epoch",
        "last_epoch",
        "md5",
        "url",
        "referer",
        "request_frame",
        "client_port",
        "content_type",
        "bytes_src_to_dst",
        "bytes_dst_to_src",
    }
)


# Per-table columns left out of the terminal view (all are in --json): disk.files keeps
# path, inode, type, deleted, size, mtime and sha256, what an examiner scans first.
_HIDDEN_IN = {
    "disk.files": frozenset({"name", "attr", "dir", "allocated", "realloc", "atime", "ctime",
                             "crtime"}),
}
_VERTICAL_FROM = 11  # a one-row table this wide is shown as field: value lines


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def fact_table(name: str, rows: Sequence[Mapping[str, Any]], *, limit: int) -> Table:
    """One fact table; at most ``limit`` rows, with a caption counting the rest."""
    if len(rows) == 1 and len(rows[0]) >= _VERTICAL_FROM:
        return _vertical(name, rows[0])
    hidden = _HIDDEN_IN.get(name, frozenset())
    columns = [c for c in (rows[0] if rows else {})
               if (c not in _HIDDEN or len(rows[0]) < 6) and c not in hidden]
    table = Table(title=f"{name} ({len(rows)} rows)", box=box.SIMPLE_HEAD, title_justify="left")
    for column in columns:
        # Values an examiner copies (addresses, hashes) wrap rather than being cut.
        table.add_column(column, overflow="fold", min_width=min(len(column), 12))
    for row in rows[:limit]:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    if len(rows) > limit:
        table.caption = f"... {len(rows) - limit} more rows (use --json or --limit)"
    return table


def _vertical(name: str, row: Mapping[str, Any]) -> Table:
    """A single wide row (an E01's metadata, a volume) as one field and value per line."""
    table = Table(title=f"{name} (1 rows)", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    for field, value in row.items():
        table.add_row(field, _cell(value))
    return table


def facts_view(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    warnings: Sequence[str],
    warning_count: int,
    *,
    limit: int,
) -> RenderableType:
    """Every non-empty table, then the warnings about damaged packets."""
    parts: list[RenderableType] = []
    for name, rows in tables.items():
        if rows:
            parts.append(fact_table(name, rows, limit=limit))
    empty = [name for name, rows in tables.items() if not rows]
    if empty:
        parts.append(Text(f"empty tables: {', '.join(empty)}", style="dim"))
    if warning_count:
        parts.append(
            Text(f"{warning_count} warnings (damaged or unreadable data skipped):", style="yellow")
        )
        parts.extend(Text(f"  {w}") for w in warnings[:limit])
        if warning_count > min(len(warnings), limit):
            parts.append(
                Text(f"  ... {warning_count - min(len(warnings), limit)} more", style="dim")
            )
    return Group(*parts)


def catalogue_view(tables: Mapping[str, Iterable[tuple[str, str, str]]]) -> Table:
    """Every table with its fields (name, type, meaning), for writing queries."""
    table = Table(title="Fact tables", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("table")
    table.add_column("field")
    table.add_column("type")
    table.add_column("meaning", overflow="fold")
    for name, fields in tables.items():
        for i, (field, kind, doc) in enumerate(fields):
            table.add_row(name if i == 0 else "", field, kind, doc)
        table.add_section()
    return table


def query_view(values: Sequence[Any], provenance: Mapping[str, Any]) -> RenderableType:
    """A resolved query: its values and where they came from."""
    table = Table(title="Query result", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("value", overflow="fold")
    for i, value in enumerate(values, 1):
        table.add_row(str(i), _cell(value))
    source = (
        f"{provenance['rows_matched']} rows matched in {provenance['table']} "
        f"(analyzer {provenance['analyzer']} v{provenance['analyzer_version']}, "
        f"dflab {provenance['dflab_version']}, evidence sha256 {provenance['evidence_sha256']})"
    )
    return Group(table, Text(source, style="dim"))


def capture_progress(console: Any) -> Progress:
    """A progress bar over the bytes of a capture, drawn on stderr."""
    return Progress(
        TextColumn("analysing"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
