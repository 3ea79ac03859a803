"""Builders for backend tests: fake lab specs, a Docker backend, and labs cleaned up after use.

Docker tests build the lab images once per run through the same code as
``make images`` (a no-op when they are up to date). They fail, never skip,
when no engine answers: CI must notice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from runner.backends import images
from runner.backends.base import LabHandle, LabSpec, Limits
from runner.backends.docker import DockerBackend

NETWORK_IMAGE = "dflab/lab-network:latest"
SpecFactory = Callable[..., LabSpec]


@pytest.fixture(scope="session")
def lab_images() -> list[images.Built]:
    """Every lab profile's image, built (or found up to date) once per test run."""
    return images.build_images()


@pytest.fixture(scope="session")
def engine() -> Iterator[Any]:
    """A raw Docker SDK client, for inspecting what the backend did."""
    client = docker.from_env()
    yield client
    client.close()


@pytest.fixture
def backend() -> Iterator[DockerBackend]:
    with DockerBackend() as b:
        yield b


@pytest.fixture
def make_spec(tmp_path: Path) -> SpecFactory:
    """A small fake LabSpec: one evidence file, a service folder, a unique session id."""

    def make(*, limits: Limits | None = None, evidence: bytes = b"PCAPDATA\n",
             session_id: str | None = None, env: dict[str, str] | None = None,
             image: str = NETWORK_IMAGE) -> LabSpec:
        sid = session_id or f"test-{uuid.uuid4().hex[:10]}"
        root = tmp_path / sid
        root.mkdir(exist_ok=True)
        ev = root / "capture.pcap"
        ev.write_bytes(evidence)
        ev.chmod(0o644)
        service = root / "run"
        service.mkdir(exist_ok=True)
        return LabSpec(
            session_id=sid, scenario_id="test-scenario", title="Test lab", profile="network",
            image=image, limits=limits or Limits(memory_mb=256, pids=128),
            evidence=(("capture.pcap", ev),), service_dir=service, work_dir=root / "work",
            seat="seat-1", env=env or {},
        )

    return make


@pytest.fixture
def start_lab(
    lab_images: list[images.Built], backend: DockerBackend, make_spec: SpecFactory
) -> Iterator[Callable[..., tuple[LabHandle, LabSpec]]]:
    """Start labs from fake specs; every one is removed (with its volume) afterwards."""
    started: list[LabHandle] = []

    def start(**kwargs: Any) -> tuple[LabHandle, LabSpec]:
        spec = make_spec(**kwargs)
        handle = backend.prepare(spec)
        started.append(handle)
        return handle, spec

    yield start
    for handle in started:
        backend.stop(handle, remove_work=True)


def host_addresses() -> list[str]:
    """Addresses that lead to the host or beyond: the docker0 gateway, the default route."""
    found = ["1.1.1.1", "8.8.8.8"]
    with open("/proc/net/route", encoding="ascii") as routes:
        for line in routes.read().splitlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000" and fields[2] != "00000000":
                gateway = bytes.fromhex(fields[2])[::-1]
                found.append(".".join(str(b) for b in gateway))
    found.append("172.17.0.1")
    return found


def in_lab_python(code: str) -> list[str]:
    return ["python3", "-c", code]


