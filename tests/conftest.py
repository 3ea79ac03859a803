"""Shared fixtures: an isolated DFLAB_HOME, scenario builders and a CLI runner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import CliRunner, ScenarioBuilder


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private DFLAB_HOME so tests never touch the user's sessions."""
    path = tmp_path / "home"
    monkeypatch.setenv("DFLAB_HOME", str(path))
    return path


@pytest.fixture
def cli(home: Path) -> CliRunner:
    return CliRunner(home)


@pytest.fixture
def build(tmp_path: Path) -> ScenarioBuilder:
    return ScenarioBuilder(tmp_path / "authoring")
