"""Evidence must be a regular file (issue 10.6): devices, FIFOs and links to them are
refused before a byte is read, everywhere evidence is read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runner.errors import CaptureError, InputError
from runner.evidence.cache import sha256_file as capture_sha256
from runner.evidence.manifest import sha256_file
from runner.evidence.reader import capture_format, iter_records_at

pytestmark = pytest.mark.timeout(60)  # the defect was a hang: fail, do not wait forever


@pytest.fixture(params=["zero", "urandom", "fifo", "link-to-zero", "link-to-fifo", "folder"])
def not_regular(request, tmp_path: Path) -> Path:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    targets = {"zero": Path("/dev/zero"), "urandom": Path("/dev/urandom"), "fifo": fifo,
               "folder": tmp_path}
    if request.param.startswith("link-to-"):
        link = tmp_path / "evidence.pcap"
        link.symlink_to(targets[request.param.removeprefix("link-to-")])
        return link
    return targets[request.param]


def test_hashing_refuses_what_is_not_a_regular_file(not_regular: Path):
    with pytest.raises(InputError, match="must be a regular file"):
        sha256_file(not_regular)
    with pytest.raises(CaptureError, match="must be a regular file"):
        capture_sha256(not_regular)


def test_capture_reading_refuses_what_is_not_a_regular_file(not_regular: Path):
    with pytest.raises(CaptureError, match="must be a regular file"):
        capture_format(not_regular)
    with pytest.raises(CaptureError, match="must be a regular file"):
        next(iter_records_at(not_regular))


def test_facts_cli_refuses_a_device_or_fifo(cli, not_regular: Path):
    result = cli("facts", str(not_regular))
    assert result.code == 3 and "must be a regular file" in result.stderr
    query = cli("facts", str(not_regular), "--query", "{from: dns.queries, select: name}")
    assert query.code == 3 and "must be a regular file" in query.stderr


def test_validate_and_grade_refuse_device_evidence(cli, build, tmp_path: Path):
    link = build.root / "scenarios" / "capture.pcap"
    link.symlink_to("/dev/zero")
    tasks = [{"id": "a", "question": "q", "answer": {"type": "text", "expected": "x"},
              "solution": "x"}]
    path = build.scenario(tasks, evidence=[{"file": "capture.pcap", "sha256": "0" * 64}])
    data = json.loads(cli("validate", str(path), "--json").stdout)
    assert [p["message"] for p in data["problems"] if p["severity"] == "error"] == [
        "evidence file must be a regular file, not a device"]
    sheet = tmp_path / "answers.yaml"
    sheet.write_text("a: x\n")
    graded = cli("grade", str(path), "--answers", str(sheet))
    assert graded.code == 3 and "must be a regular file" in graded.stderr


def test_local_lab_never_copies_a_device_as_evidence(tmp_path: Path):
    from runner.backends.base import Limits
    from runner.backends.local import LocalBackend
    from runner.session.labspec import make_spec

    link = tmp_path / "capture.pcap"
    link.symlink_to("/dev/zero")
    spec = make_spec(tmp_path / "home", "s1", scenario_id="x", title="t", profile="network",
                     image="i", limits=Limits(), evidence=(("capture.pcap", link),))
    with pytest.raises(InputError, match="must be a regular file, not a device"):
        LocalBackend().prepare(spec)
