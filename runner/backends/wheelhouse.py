"""Collect dflab and its dependencies as wheels on the host, for the runner image.

A build container may not reach PyPI; the host (or a machine that prepared
the classroom kit) can. The wheels go into the build context and are installed
offline inside the image. Wheels are picked for the image's Python (Debian
bookworm: CPython 3.11), not the host's, so a host on another Python works too.
"""

from __future__ import annotations

import os
import platform
import re
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


def _pip(args: list[str], log: _Log) -> tuple[int, str]:
    # A fixed zip timestamp makes the dflab wheel byte-identical from one build to
    # the next, so an unchanged checkout leaves the runner image up to date.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
    proc = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                          errors="replace", check=False, env=env)
    output = proc.stdout + proc.stderr
    for line in output.splitlines():
        log.log("runner", line)
    return proc.returncode, output


# pip lists dependencies it found no wheel for under this line, one per indented line.
_NO_WHEEL = re.compile(r"no matching distributions available for your environment:\n"
                       r"((?:[ \t]+\S+\n?)+)")
_MAX_SDIST_ROUNDS = 8


def build(root: Path, dest: Path, log: _Log) -> Path:
    """Fill ``dest`` with a wheel of dflab (from ``root``) and wheels of its dependencies.

    The dependencies are looked up in ``dest`` first (works offline once
    filled), then in pip's configured index (PyPI, or PIP_INDEX_URL). A few
    forensic libraries' dependencies ship only as source (hexdump, red-black-tree-mod):
    those are built into wheels on the host and kept only when pure Python, since a
    compiled wheel built here would target the host's Python, not the image's.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("dflab-*.whl"):
        old.unlink()
    if _pip(["wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(root)], log)[0]:
        raise BackendError("cannot build the dflab wheel", where=str(root),
                           fix="read pip's output above")
    wheel = next(dest.glob("dflab-*.whl"))
    target = ["--only-binary=:all:", "--python-version", IMAGE_PYTHON, "--implementation", "cp"]
    for tag in _platforms():
        target += ["--platform", tag]
    common = ["download", "--dest", str(dest), *target, str(wheel)]
    if _pip([*common, "--no-index", "--find-links", str(dest)], log)[0] == 0:
        return dest
    log.step("runner", "downloading dependency wheels")
    for _ in range(_MAX_SDIST_ROUNDS):
        code, output = _pip([*common, "--find-links", str(dest)], log)
        if code == 0:
            return dest
        missing = _no_wheel(output)
        if not missing:
            break
        for name in missing:
            _pure_wheel(name, dest, log)
    raise BackendError(
        "cannot collect the dependency wheels for the runner image",
        where=str(dest),
        fix="let pip reach PyPI (or PIP_INDEX_URL), or copy the wheels into that folder",
    )


def _no_wheel(output: str) -> list[str]:
    """Dependencies pip found only as source, from its resolver's report."""
    match = _NO_WHEEL.search(output)
    return match.group(1).split() if match else []


def _pure_wheel(name: str, dest: Path, log: _Log) -> None:
    """Build ``name`` from source into ``dest``; refuse a wheel that is not pure Python."""
    before = set(dest.glob("*.whl"))
    if _pip(["wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), name], log)[0]:
        raise BackendError(f"cannot build a wheel of '{name}' for the runner image",
                           where=str(dest), fix="read pip's output above")
    for built in set(dest.glob("*.whl")) - before:
        if not built.name.endswith("-none-any.whl"):
            built.unlink()
            raise BackendError(f"'{name}' has no wheel for the image's Python and is not "
                               "pure Python", where=str(dest),
                               fix="copy a wheel built for CPython 3.11 into that folder")
