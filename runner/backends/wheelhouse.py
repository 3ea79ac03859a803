"""Collect dflab and its dependencies as wheels on the host, for the runner image.

A build container may not reach PyPI; the host (or a machine that prepared
the classroom kit) can. The wheels go into the build context and are installed
offline inside the image. Wheels are picked for the image's Python (Debian
bookworm: CPython 3.11), not the host's, so a host on another Python works too.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from runner.errors import BackendError

IMAGE_PYTHON = "3.11"


class _Log(Protocol):
    def step(self, target: str, text: str) -> None: ...

    def log(self, target: str, line: str) -> None: ...


def _platforms() -> list[str]:
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine(), platform.machine())
    tags = ["manylinux2014", "manylinux_2_17", "manylinux_2_28", "manylinux_2_31",
            "manylinux_2_34", "manylinux_2_36", "linux"]
    return [f"{tag}_{arch}" for tag in tags]


def _pip(args: list[str], log: _Log) -> int:
    # A fixed zip timestamp makes the dflab wheel byte-identical from one build to
    # the next, so an unchanged checkout leaves the runner image up to date.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
    proc = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                          errors="replace", check=False, env=env)
    for line in (proc.stdout + proc.stderr).splitlines():
        log.log("runner", line)
    return proc.returncode


def build(root: Path, dest: Path, log: _Log) -> Path:
    """Fill ``dest`` with a wheel of dflab (from ``root``) and wheels of its dependencies.

    The dependencies are looked up in ``dest`` first (works offline once
    filled), then in pip's configured index (PyPI, or PIP_INDEX_URL).
    """
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("dflab-*.whl"):
        old.unlink()
    if _pip(["wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(root)], log):
        raise BackendError("cannot build the dflab wheel", where=str(root),
                           fix="read pip's output above")
    wheel = next(dest.glob("dflab-*.whl"))
    target = ["--only-binary=:all:", "--python-version", IMAGE_PYTHON, "--implementation", "cp"]
    for tag in _platforms():
        target += ["--platform", tag]
    common = ["download", "--quiet", "--dest", str(dest), *target, str(wheel)]
    if _pip([*common, "--no-index", "--find-links", str(dest)], log) == 0:
        return dest
    log.step("runner", "downloading dependency wheels")
    if _pip([*common, "--find-links", str(dest)], log):
        raise BackendError(
            "cannot collect the dependency wheels for the runner image",
            where=str(dest),
            fix="let pip reach PyPI (or PIP_INDEX_URL), or copy the wheels into that folder",
        )
    return dest
