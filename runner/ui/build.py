"""Image build progress on stderr: a live status line, and the log tail when a step fails."""

from __future__ import annotations

from collections import deque
from types import TracebackType
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.status import Status
from rich.table import Table


class RichBuildReporter:
    """Shows the current build step with a spinner; keeps the last lines for errors.

    Implements :class:`runner.backends.images.Reporter`. Use as a context manager.
    """

    def __init__(self, console: Console, tail: int = 25) -> None:
        self.console = console
        self.tail: deque[str] = deque(maxlen=tail)
        self._status: Status | None = None

    def __enter__(self) -> RichBuildReporter:
        if self.console.is_terminal:
            self._status = self.console.status("preparing images")
            self._status.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._status is not None:
            self._status.stop()
        if exc is not None and self.tail:
            self.console.print("[dim]last build output:[/]")
            for line in self.tail:
                self.console.print(f"  [dim]{escape(line)}[/]", soft_wrap=True)

    def step(self, target: str, text: str) -> None:
        line = f"[bold]{escape(target)}[/] {escape(text)}"
        if self._status is not None:
            self._status.update(line)
        else:
            self.console.print(line, soft_wrap=True)

    def log(self, target: str, line: str) -> None:
        self.tail.append(line)
        if self._status is not None:
            self._status.update(f"[bold]{escape(target)}[/] [dim]{escape(line[:100])}[/]")

    def done(self, target: str, text: str) -> None:
        self.console.print(f"[green]✔[/] [bold]{escape(target)}[/] {escape(text)}", soft_wrap=True)


def image_table(rows: list[dict[str, Any]]) -> Table:
    """``dflab images list``: one row per build target."""
    table = Table(title="Lab images", box=box.SIMPLE_HEAD)
    for col in ("target", "image", "present", "up to date", "size MB", "created"):
        table.add_column(col)
    for r in rows:
        fresh = r.get("up_to_date")
        table.add_row(r["target"], r["image"], "yes" if r["present"] else "[red]no[/]",
                      "" if fresh is None else ("yes" if fresh else "[yellow]no[/]"),
                      str(r.get("size_mb", "")), r.get("created", ""))
    return table
