"""Builders for classroom tests: rosters on disk and classes made through the CLI."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import CliRunner

SCENARIO = "port-scan-triage"
RosterFactory = Callable[..., Path]


@pytest.fixture
def roster(tmp_path: Path) -> RosterFactory:
    """Write a roster CSV (default: two trainees, nbgrader-style header)."""

    def write(rows: list[list[str]] | None = None,
              header: tuple[str, ...] = ("id", "first_name", "last_name", "email"),
              name: str = "roster.csv") -> Path:
        rows = rows or [["alice", "Alice", "Adams", "alice@example.org"],
                        ["bob", "Bob", "Brown", "bob@example.org"]]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        path = tmp_path / name
        path.write_text(out.getvalue(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def local_class(cli: CliRunner, roster: RosterFactory, tmp_path: Path) -> str:
    """A two-seat class on port-scan-triage, started on the local backend (no Docker)."""
    creds = tmp_path / "creds.csv"
    made = cli("class", "create", "c1", "--scenario", SCENARIO, "--roster", str(roster()),
               "--minutes", "60", "--credentials-out", str(creds))
    assert made.code == 0, made.stderr
    started = cli("class", "start", "c1", "--backend", "local", "--json")
    assert started.code == 0, started.stderr + started.stdout
    return "c1"
