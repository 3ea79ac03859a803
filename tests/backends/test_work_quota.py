"""/work over the profile's work_mb on the real engine (issue 10, item 4): measured by the
class server's watch, the trainer and the trainee told, the notice gone once under again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from runner.backends.base import LabHandle, LabSpec, Limits
from runner.backends.docker import DockerBackend
from runner.classroom.quota import NOTICE, WorkQuota

pytestmark = pytest.mark.docker


@dataclass
class Lab:
    backend: DockerBackend
    handle: LabHandle
    spec: LabSpec


def test_a_lab_over_its_work_quota_is_reported_to_trainer_and_trainee(
        start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab(limits=Limits(memory_mb=256, pids=128, work_mb=2))
    lab = Lab(backend, handle, spec)
    logged: list[str] = []
    watch = WorkQuota(logged.append)
    assert watch.check([("seat-1", lab)]) == []
    code, out = backend.run(handle, spec, ["sh", "-c", "head -c 5000000 /dev/zero > /work/big"])
    assert code == 0, out  # not enforced: Docker volumes have no size limit
    assert (backend.work_usage(handle) or 0) >= 5_000_000
    assert watch.check([("seat-1", lab)]) == ["seat-1"]
    assert watch.check([("seat-1", lab)]) == ["seat-1"]  # said once per crossing
    assert len(logged) == 1 and "over its 2 MB quota" in logged[0]
    code, out = backend.run(handle, spec, ["cat", NOTICE])
    assert code == 0 and "over the 2 MB this lab allows" in out
    backend.run(handle, spec, ["rm", "/work/big"])
    assert watch.check([("seat-1", lab)]) == []
    assert backend.run(handle, spec, ["test", "-e", NOTICE])[0] != 0
    assert "back under" in logged[-1]


def test_work_usage_still_gives_a_total_past_an_unreadable_folder(
        start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab()
    backend.run(handle, spec, ["sh", "-c", "mkdir /work/d && head -c 3000000 /dev/zero "
                               "> /work/d/x && chmod 000 /work/d"])
    used = backend.work_usage(handle)
    assert used is not None and used > 0  # du totals what it can read (documented gap)
