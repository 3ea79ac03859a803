"""The local backend's workspace and its safe copy-out of submitted files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.backends.base import LabSpec, Limits
from runner.backends.local import LocalBackend
from runner.errors import RefusedError


@pytest.fixture
def lab(tmp_path: Path):
    evidence = tmp_path / "capture.bin"
    evidence.write_bytes(b"\x00evidence")
    spec = LabSpec(session_id="s1", scenario_id="x", title="T", profile="network",
                   image="unused", limits=Limits(), evidence=(("capture.bin", evidence),),
                   service_dir=tmp_path / "run", work_dir=tmp_path / "labs" / "s1" / "work")
    backend = LocalBackend()
    handle = backend.prepare(spec)
    return backend, handle, spec, tmp_path


def test_workspace_has_read_only_evidence_and_a_work_folder(lab):
    backend, handle, spec, _ = lab
    copy = Path(handle.ref) / "evidence" / "capture.bin"
    assert copy.read_bytes() == b"\x00evidence"
    assert oct(copy.stat().st_mode & 0o777) == "0o444"
    assert spec.work_dir.is_dir()
    rc, out = backend.run(handle, spec, ["sh", "-c", "command -v lab && pwd"])
    assert rc == 0 and str(spec.work_dir) in out and "/bin/lab" in out


def test_fetch_copies_a_regular_file(lab, tmp_path):
    backend, handle, spec, _ = lab
    (spec.work_dir / "carved.csv").write_text("a,b\n")
    out = backend.fetch(handle, "/work/carved.csv", tmp_path / "dest", 1024)
    assert out.read_text() == "a,b\n"
    out2 = backend.fetch(handle, str(spec.work_dir / "carved.csv"), tmp_path / "dest2", 1024)
    assert out2.read_text() == "a,b\n"


@pytest.mark.parametrize(
    ("make", "path", "message"),
    [
        (lambda w: os.symlink("/etc/passwd", w / "link"), "/work/link", "symbolic link"),
        (lambda w: None, "/work/../../etc/passwd", "'..'"),
        (lambda w: None, "/etc/passwd", "only files under /work can be submitted"),
        (lambda w: (w / "big").write_bytes(b"x" * 2048), "/work/big", "over the 1,024-byte"),
        (lambda w: os.mkfifo(w / "fifo"), "/work/fifo", "not a regular file"),
        (lambda w: ((w / "a").write_text("x"), os.link(w / "a", w / "b")), "/work/b",
         "hard link"),
        (lambda w: (os.mkdir(w / "d"), os.symlink("/etc", w / "d" / "up")), "/work/d/up/passwd",
         "symbolic link"),
        (lambda w: None, "/work/missing", "no such file"),
    ],
)
def test_fetch_refuses_hostile_paths(lab, tmp_path, make, path, message):
    backend, handle, spec, _ = lab
    make(spec.work_dir)
    with pytest.raises(RefusedError, match=message):
        backend.fetch(handle, path, tmp_path / "dest", 1024)
    assert not (tmp_path / "dest").exists() or not any((tmp_path / "dest").iterdir())


def test_stop_removes_the_workspace(lab):
    backend, handle, _, _ = lab
    backend.stop(handle, remove_work=True)
    assert not backend.is_running(handle)


def test_profile_file_size_limit_applies_in_the_local_lab(tmp_path):
    evidence = tmp_path / "e.bin"
    evidence.write_bytes(b"x")
    spec = LabSpec(session_id="s2", scenario_id="x", title="T", profile="network",
                   image="unused", limits=Limits(work_mb=1), evidence=(("e.bin", evidence),),
                   service_dir=tmp_path / "run", work_dir=tmp_path / "labs" / "s2" / "work")
    backend = LocalBackend()
    handle = backend.prepare(spec)
    _, out = backend.run(handle, spec, ["sh", "-c", "head -c 3000000 /dev/zero > big; echo $?"])
    assert (spec.work_dir / "big").stat().st_size <= 1024 * 1024
    assert out.strip().splitlines()[-1] != "0"
