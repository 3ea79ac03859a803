"""Submitted files under attack (issue 10, items 3 and 4): spent tasks fetch nothing,
crafted captures cost bounded memory, and only what grading needs stays on disk."""

from __future__ import annotations

import hashlib
import shutil
import struct
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from runner.backends.base import LabHandle
from runner.backends.local import LocalBackend
from runner.checkers.base import JudgeContext, Key, Status
from runner.checkers.frames import MIN_RECORD_CAP, FramesChecker, FramesParams
from runner.scenario.loader import load_scenario
from runner.session import service as service_mod
from runner.session.keys import key_to_json, resolve_keys
from runner.session.service import LabLink, SessionService
from runner.session.store import Store

ROOT = Path(__file__).resolve().parents[2]
GOOD = b"the carved file\n"


class CountingBackend(LocalBackend):
    def __init__(self) -> None:
        super().__init__()
        self.fetches = 0

    def fetch(self, handle: LabHandle, lab_path: str, dest_dir: Path, max_bytes: int) -> Path:
        self.fetches += 1
        return super().fetch(handle, lab_path, dest_dir, max_bytes)


def file_service(build, tmp_path: Path, max_attempts: int | None) -> tuple[SessionService, Path]:
    task = {"id": "carve", "question": "Submit the carved file.", "points": 10,
            "answer": {"type": "artifact", "expected": hashlib.sha256(GOOD).hexdigest()}}
    if max_attempts is not None:
        task["max_attempts"] = max_attempts
    loaded = load_scenario(build.scenario(tasks=[task]))
    store = Store(tmp_path / "s.db")
    sid = store.create_session(scenario_id=loaded.id, scenario_path=str(loaded.path),
                               scenario_sha256=loaded.sha256, title="t", lang="en",
                               trainee="t", backend="local")
    store.save_keys(sid, {t: (key_to_json(k), p) for t, (k, p) in resolve_keys(loaded).items()})
    lab = tmp_path / "lab"
    (lab / "work").mkdir(parents=True)
    link = LabLink(CountingBackend(), LabHandle("local", sid, str(lab)), tmp_path / "artifacts",
                   1 << 20)
    return SessionService(store, sid, loaded, link, rate_per_minute=10_000), lab / "work"


def submit(service: SessionService, work: Path, content: bytes, name: str = "x.bin") -> dict:
    (work / name).write_bytes(content)
    time.sleep(0.002)  # one artifact folder per millisecond stamp
    return service.handle({"v": 1, "op": "submit", "task": "carve", "path": f"/work/{name}"})


def test_a_spent_task_fetches_nothing(build, tmp_path):
    service, work = file_service(build, tmp_path, max_attempts=1)
    assert submit(service, work, b"wrong")["data"]["status"] == "wrong"
    backend = service.link.backend  # type: ignore[union-attr]
    reply = submit(service, work, b"another 60 MB would go here")
    assert not reply["ok"] and "no attempts left" in reply["error"]
    assert backend.fetches == 1
    reply = service.handle({"v": 1, "op": "answer", "task": "carve", "value": "x"})
    assert not reply["ok"]


def test_only_correct_and_the_last_few_submissions_are_kept(build, tmp_path):
    service, work = file_service(build, tmp_path, max_attempts=None)
    for i in range(8):
        assert submit(service, work, b"wrong %d" % i)["data"]["status"] == "wrong"
    assert submit(service, work, GOOD)["data"]["status"] == "correct"
    kept = sorted((tmp_path / "artifacts").iterdir())
    correct = [p for p in kept if p.name.endswith(service_mod.CORRECT_SUFFIX)]
    others = [p for p in kept if p.name.isdigit()]
    assert len(correct) == 1 and (correct[0] / "x.bin").read_bytes() == GOOD
    assert len(others) == service_mod.KEEP_OTHER
    assert [(p / "x.bin").read_bytes() for p in others] == [b"wrong 5", b"wrong 6", b"wrong 7"]
    assert len(service.store.attempts(service.session_id)) == 9  # the record keeps them all


def test_a_refused_file_leaves_nothing_behind(build, tmp_path):
    service, work = file_service(build, tmp_path, max_attempts=None)
    (work / "big").write_bytes(b"x" * (2 << 20))  # over the 1 MB cap of this lab
    reply = service.handle({"v": 1, "op": "submit", "task": "carve", "path": "/work/big"})
    assert not reply["ok"] and "limit" in reply["error"]
    assert not any((tmp_path / "artifacts").glob("*/*"))


def test_submissions_of_a_class_share_a_bounded_judge_pool(build, tmp_path):
    service, work = file_service(build, tmp_path, max_attempts=None)
    service.judges = threading.BoundedSemaphore(1)
    service.judges.acquire()  # another seat is being judged
    original = service_mod.JUDGE_WAIT
    service_mod.JUDGE_WAIT = 0.1
    try:
        reply = submit(service, work, GOOD)
    finally:
        service_mod.JUDGE_WAIT = original
        service.judges.release()
    assert not reply["ok"] and "judging other submissions" in reply["error"]
    assert service.link.backend.fetches == 0  # type: ignore[union-attr]
    assert submit(service, work, GOOD)["data"]["status"] == "correct"


def empty_records_capture(path: Path, records: int) -> Path:
    """A pcap of ``records`` zero-length packets (the attack: 16 bytes a record)."""
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    record = struct.pack("<IIII", 1, 0, 0, 0)
    with path.open("wb") as out:
        out.write(header)
        block = record * 65536
        for _ in range(records // 65536):
            out.write(block)
    return path


def test_a_capture_of_millions_of_empty_records_costs_bounded_memory(tmp_path):
    evidence = tmp_path / "evidence.pcapng"
    shutil.copy(ROOT / "pcaps" / "cs_synscan.pcapng", evidence)
    crafted = empty_records_capture(tmp_path / "crafted.pcap", 2_097_152)  # 32 MB
    checker = FramesChecker()
    params = FramesParams(evidence="ev")
    tracemalloc.start()
    try:
        verdict = checker.judge_file(crafted, Key(values=("1-3",)), params,
                                     JudgeContext(evidence={"ev": evidence}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert verdict.status is Status.INVALID
    assert f"more than {MIN_RECORD_CAP:,} packets" in verdict.feedback
    assert peak < 32 * 1024 * 1024  # the old reader held every record: ~500 MB


@pytest.mark.parametrize("records", [1, 500])
def test_a_small_crafted_capture_is_judged_as_strays(tmp_path, records):
    evidence = tmp_path / "evidence.pcapng"
    shutil.copy(ROOT / "pcaps" / "cs_synscan.pcapng", evidence)
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    crafted = tmp_path / "small.pcap"
    crafted.write_bytes(header + struct.pack("<IIII", 1, 0, 0, 0) * records)
    verdict = FramesChecker().judge_file(crafted, Key(values=("1-3",)), FramesParams(evidence="ev"),
                                         JudgeContext(evidence={"ev": evidence}))
    assert verdict.status is Status.WRONG and f"{records} packet(s)" in verdict.feedback
