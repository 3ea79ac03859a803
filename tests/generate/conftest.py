"""Fixtures for generator tests (helpers in tests/capture_tools.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from capture_tools import HOSTS, VARIABLES, Make

from runner.generate.story import load_story
from runner.generate.variant import Variant, generate_variant


@pytest.fixture
def make(tmp_path: Path) -> Make:
    """Generate a variant of a story holding ``events`` (plus extra outputs/params)."""
    counter = iter(range(1000))

    def go(events: list[dict[str, Any]], seed: int = 1, *, outputs: dict[str, Any] | None = None,
           hosts: dict[str, Any] | None = None, files: dict[str, bytes] | None = None,
           **capture: Any) -> Variant:
        folder = tmp_path / f"story{next(counter)}"
        folder.mkdir()
        story = {"schema_version": 1, "id": "capture-test", "variables": VARIABLES,
                 "hosts": hosts or HOSTS,
                 "outputs": {"net": {"kind": "capture", "events": events, **capture},
                             **(outputs or {})}}
        (folder / "story.yaml").write_text(yaml.safe_dump(story, sort_keys=False), "utf-8")
        for name, data in (files or {}).items():
            (folder / name).write_bytes(data)
        return generate_variant(load_story(folder / "story.yaml"), seed, folder / "out")

    return go
