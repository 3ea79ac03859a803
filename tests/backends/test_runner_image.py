"""The runner packaged as an image: built from host-side wheels, runs ``dflab`` offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runner import __version__
from runner.backends import images

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def runner_image() -> str:
    built = images.build_images([images.RUNNER])
    return built[0].tag


def run(engine: Any, image: str, *args: str) -> str:
    out = engine.containers.run(image, list(args), remove=True, network_mode="none")
    return bytes(out).decode()


def test_version_and_help(runner_image: str, engine: Any) -> None:
    assert run(engine, runner_image, "--version").strip() == f"dflab {__version__}"
    assert "usage: dflab" in run(engine, runner_image, "--help")


def test_list_reads_the_packaged_catalogue(runner_image: str, engine: Any) -> None:
    out = run(engine, runner_image, "list", "--json")
    assert '"scenarios"' in out and '"id"' in out


def test_every_generator_tool_is_in_the_image(runner_image: str, engine: Any) -> None:
    """Per-trainee disk evidence is generated where dflab runs: the image has the tools."""
    from runner.generate.tools import PACKAGES

    script = f"for t in {' '.join(PACKAGES)}; do command -v $t; done"
    out = engine.containers.run(runner_image, ["-c", script],
                                entrypoint="sh", remove=True, network_mode="none")
    assert sorted(Path(line).name for line in bytes(out).decode().split()) == sorted(PACKAGES)


def test_a_disk_variant_is_generated_in_the_image(runner_image: str, engine: Any) -> None:
    out = run(engine, runner_image, "variant", "evidence-handling", "--seed", "1", "--out",
              "/tmp/v", "--json")
    assert '"stick.E01"' in out and '"sha256"' in out
