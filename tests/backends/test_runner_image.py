"""The runner packaged as an image: built from host-side wheels, runs ``dflab`` offline."""

from __future__ import annotations

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
