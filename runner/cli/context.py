"""What every command receives: streams, environment and consoles (injected for tests)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console

from runner.home import Home


@dataclass
class Ctx:
    """Streams and settings of one CLI invocation."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    width: int | None = None
    debug: bool = False
    home_override: str | None = None

    def __post_init__(self) -> None:
        no_color = "NO_COLOR" in self.env or self.env.get("TERM") == "dumb"
        force_tty = None if self.stdout in (sys.stdout,) else False
        self.console = Console(
            file=self.stdout,
            width=self.width,
            no_color=no_color,
            force_terminal=force_tty,
            highlight=False,
            soft_wrap=False,
        )
        self.err_console = Console(
            file=self.stderr, width=self.width, no_color=no_color, highlight=False, stderr=True
        )

    @property
    def home(self) -> Path:
        """The dflab home's folder (``--home``, ``DFLAB_HOME`` or XDG; see runner.home)."""
        return Home.from_env(self.env, self.home_override).root

    def print_json(self, data: Any) -> None:
        """Write machine-readable output: plain JSON, never coloured."""
        self.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")

    def info(self, text: str) -> None:
        """A human status line on stderr, so --json output on stdout stays clean."""
        self.err_console.print(text)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
