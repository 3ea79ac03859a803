"""Views of generated variants: progress while N variants are self-tested, and the result."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich import box
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text


def variants_progress(console: Any, what: str) -> Progress:
    """A bar over the variants being generated (drawn on stderr, gone when done)."""
    return Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def variants_table(title: str, rows: Iterable[dict[str, Any]]) -> Table:
    """One line per variant: its seed, whether it passed, and what was wrong."""
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("seed", justify="right")
    table.add_column("verdict")
    table.add_column("cross-checked", justify="right")
    table.add_column("solutions", justify="right")
    table.add_column("problems", overflow="fold")
    for r in rows:
        verdict = Text("ok", style="green") if r["ok"] else Text("FAILED", style="red")
        table.add_row(str(r["seed"]), verdict, str(r["cross_checked"]), f"{r['percent']}%",
                      "; ".join(r["problems"]))
    return table


def files_table(title: str, files: Iterable[tuple[str, str]]) -> Table:
    """The files of one variant with their SHA-256."""
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("file")
    table.add_column("sha256", overflow="fold")
    for name, digest in files:
        table.add_row(name, digest)
    return table
