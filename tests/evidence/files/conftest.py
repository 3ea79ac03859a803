"""Samples of the file kinds (mail, pictures, documents, SQLite, EVTX, hives) and the
reference tools the agreement tests compare with."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from runner.evidence.engine import FactSet
from runner.evidence.kinds.dispatch import analyze_evidence

DATA = Path(__file__).resolve().parents[2] / "data" / "files"
Facts = Callable[[Path], FactSet]


def sample(name: str) -> Path:
    """A real sample shipped in tests/data/files (sources in its SOURCES.md)."""
    path = DATA / name
    assert path.is_file(), f"missing sample {name}"
    return path


def tool(name: str) -> str:
    """The path of a reference tool; the test fails (never skips) when it is missing."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (tools/system-packages.txt; make system-deps)")
    return found


def run_tool(*argv: str) -> str:
    done = subprocess.run([tool(argv[0]), *argv[1:]], capture_output=True, check=False,
                          timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout.decode("utf-8", "replace")


def exiftool(path: Path) -> dict[str, Any]:
    """``exiftool -json -n -G1`` of one file: numeric values, group-prefixed tags."""
    data: list[dict[str, Any]] = json.loads(run_tool("exiftool", "-json", "-n", "-G1", str(path)))
    return data[0]


def sqlite_rows(path: Path, sql: str) -> list[list[str]]:
    """Rows printed by the sqlite3 shell (read-only, immutable), as lists of text."""
    out = run_tool("sqlite3", "-readonly", "-json", f"file:{path}?mode=ro&immutable=1", sql)
    rows: list[dict[str, Any]] = json.loads(out) if out.strip() else []
    return [["" if v is None else str(v) for v in r.values()] for r in rows]


@pytest.fixture
def facts() -> Facts:
    """dflab's facts of one file of any kind, as ``dflab facts`` computes them."""
    return analyze_evidence
