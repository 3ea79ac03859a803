"""Helpers for capture-generator tests: stories around a list of events, and the reference
tools (tshark, aircrack-ng) they compare with, which must be installed (tests fail, not skip)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HOSTS: dict[str, Any] = {
    "victim": {"ip": "{{victim_ip}}", "os": "windows", "name": "ws-{{n}}"},
    "server": {"ip": "{{server_ip}}", "os": "linux"},
    "attacker": {"ip": "{{attacker_ip}}", "os": "linux"},
    "gw": {"ip": "{{gw_ip}}", "os": "router"},
}
VARIABLES: dict[str, Any] = {
    "lan": {"cidr": "10.0.0.0/8"},
    "victim_ip": {"same_subnet_as": "lan"},
    "server_ip": {"same_subnet_as": "lan"},
    "gw_ip": {"same_subnet_as": "lan"},
    "attacker_ip": {"cidr": "198.51.100.0/24"},
    "n": {"range": [10, 99]},
    "user": {"pool": "usernames"},
    "password": {"pool": "passwords"},
}
Make = Callable[..., Any]


def tool(name: str) -> str:
    """The path of a reference tool; a test needing it fails (never skips) without it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run 'make system-deps' "
                    "(tools/system-packages.txt)")
    return path


def tshark(capture: Path, *args: str) -> str:
    """tshark's output for ``capture`` with ``args``."""
    done = subprocess.run([tool("tshark"), "-r", str(capture), *args], capture_output=True,
                          text=True, check=True)
    return done.stdout


def tshark_fields(capture: Path, display_filter: str, *fields: str) -> list[list[str]]:
    """Rows of ``fields`` for the frames matching ``display_filter``."""
    args = ["-Y", display_filter, "-T", "fields", *(x for f in fields for x in ("-e", f))]
    return [line.split("\t") for line in tshark(capture, *args).splitlines() if line]


