"""The Docker backend against a real engine: isolation, limits, fetch, gc, resume."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from runner.backends.base import LabSpec, Limits
from runner.backends.docker import DockerBackend
from runner.backends.labconfig import LAB_UID, LABEL_MANAGED, container_name, volume_name
from runner.errors import BackendError, RefusedError
from runner.home import Home, secure_socket
from tests.backends.conftest import host_addresses, in_lab_python

pytestmark = pytest.mark.docker


def test_inspect_shows_every_isolation_setting(start_lab: Any, engine: Any) -> None:
    handle, spec = start_lab(env={"AWS_SECRET_ACCESS_KEY": "x", "DFLAB_EXTRA": "ok"})
    attrs = engine.containers.get(handle.ref).attrs
    host, config = attrs["HostConfig"], attrs["Config"]
    assert host["NetworkMode"] == "none"
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["ReadonlyRootfs"] is True
    assert not host["Privileged"]
    assert host["Memory"] == 256 * 1024 * 1024 == host["MemorySwap"]
    assert host["NanoCpus"] == 1_000_000_000
    assert host["PidsLimit"] == 128
    assert host["Init"] is True
    assert set(host["Tmpfs"]) == {"/tmp", "/home/trainee"}
    assert config["User"] == "trainee"
    assert config["WorkingDir"] == "/work"
    expected = {LABEL_MANAGED: "1", "dflab.session": spec.session_id,
                "dflab.scenario": "test-scenario", "dflab.seat": "seat-1"}
    assert {k: config["Labels"].get(k) for k in expected} == expected
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["DFLAB_TITLE"] == "Test lab" and env["DFLAB_EXTRA"] == "ok"
    assert "AWS_SECRET_ACCESS_KEY" not in env
    mounts = {m["Destination"]: m for m in attrs["Mounts"]}
    assert set(mounts) == {"/evidence/capture.pcap", "/work", "/run/dflab"}
    assert mounts["/evidence/capture.pcap"]["RW"] is False
    assert mounts["/run/dflab"]["RW"] is False
    assert mounts["/work"]["Type"] == "volume"
    assert mounts["/work"]["Name"] == volume_name(spec.session_id)
    assert attrs["State"]["Running"] is True


def test_evidence_and_root_are_read_only(start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab()
    for target in ("/evidence/capture.pcap", "/evidence/new", "/usr/local/bin/lab", "/etc/x"):
        code, out = backend.run(handle, spec, ["sh", "-c", f"echo x >> {target}"])
        assert code != 0, target
        assert "Read-only file system" in out or "Permission denied" in out, out
    code, out = backend.run(handle, spec, ["cat", "/evidence/capture.pcap"])
    assert (code, out) == (0, "PCAPDATA\n")
    code, out = backend.run(handle, spec, ["sh", "-c", "echo ok > /work/a && echo ok > /tmp/b "
                                           "&& echo ok > ~/c && id -u"])
    assert (code, out) == (0, "1000\n")


def test_no_network_address_can_be_reached(start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab()
    code_ = (
        "import socket, sys\n"
        "for host in sys.argv[1:]:\n"
        "    s = socket.socket(); s.settimeout(2)\n"
        "    try:\n"
        "        s.connect((host, 53)); print(host, 'CONNECTED')\n"
        "    except OSError as e:\n"
        "        print(host, 'refused', e.errno)\n"
        "    finally:\n"
        "        s.close()\n"
    )
    code, out = backend.run(handle, spec, [*in_lab_python(code_), *host_addresses()])
    assert code == 0, out
    assert "CONNECTED" not in out
    assert len(out.splitlines()) == len(host_addresses())
    code, out = backend.run(handle, spec, ["ls", "/sys/class/net"])
    assert out.split() == ["lo"]


def test_fork_bomb_and_memory_hog_stay_inside_their_lab(
    start_lab: Any, backend: DockerBackend, engine: Any
) -> None:
    victim, _victim_spec = start_lab(limits=Limits(memory_mb=128, pids=64))
    other, other_spec = start_lab()
    bomb = engine.api.exec_create(victim.ref, ["bash", "-c", ":(){ :|:& };:"], user="trainee")
    engine.api.exec_start(bomb["Id"], detach=True)
    time.sleep(3)
    pids = engine.containers.get(victim.ref).stats(stream=False)["pids_stats"]["current"]
    assert pids <= 64
    assert backend.run(other, other_spec, ["echo", "alive"]) == (0, "alive\n")
    backend.stop(victim)  # the only way out of a fork bomb: remove the lab

    hog, hog_spec = start_lab(limits=Limits(memory_mb=64, pids=64))
    code, _ = backend.run(hog, hog_spec, in_lab_python("b = bytearray(512 * 1024 * 1024)"))
    assert code == 137  # SIGKILL from the OOM killer
    assert engine.containers.get(hog.ref).attrs["State"]["Running"] is True
    assert backend.run(hog, hog_spec, ["echo", "still here"]) == (0, "still here\n")
    assert backend.run(other, other_spec, ["echo", "alive"]) == (0, "alive\n")


FETCH_SETUP = (
    "head -c 100000 /dev/urandom > /work/good.bin; "
    "ln -s /etc/passwd /work/passwd-link; ln -s /etc /work/etc-link; "
    "head -c 2000000 /dev/zero > /work/big.bin; mkfifo /work/fifo; "
    "echo data > /work/orig; ln /work/orig /work/hardlink; mkdir -p /work/sub/dir; "
    "echo nested > /work/sub/dir/n.txt"
)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/work/passwd-link", "symbolic link"),
        ("/work/etc-link/passwd", "symbolic link"),
        ("/work/../etc/passwd", "'..'"),
        ("sub/../../etc/passwd", "'..'"),
        ("/work/big.bin", "over the 1,000,000-byte limit"),
        ("/dev/null", "only files under /work"),
        ("/etc/passwd", "only files under /work"),
        ("/work/fifo", "named pipe (FIFO)"),
        ("/work/hardlink", "hard link"),
        ("/work/sub", "a folder"),
        ("/work/missing", "no such file"),
    ],
)
def test_fetch_refuses(start_lab: Any, backend: DockerBackend, tmp_path: Path,
                       path: str, reason: str) -> None:
    handle, spec = start_lab()
    assert backend.run(handle, spec, ["sh", "-c", FETCH_SETUP])[0] == 0
    with pytest.raises(RefusedError) as err:
        backend.fetch(handle, path, tmp_path / "out", 1_000_000)
    assert reason in err.value.message
    assert "refused" in err.value.one_line()
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_devices_cannot_be_made(start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab()
    code, out = backend.run(handle, spec, ["mknod", "/work/dev", "c", "1", "3"])
    assert code != 0 and "Operation not permitted" in out


def test_fetch_returns_a_good_file_intact(start_lab: Any, backend: DockerBackend,
                                          tmp_path: Path) -> None:
    handle, spec = start_lab()
    assert backend.run(handle, spec, ["sh", "-c", FETCH_SETUP])[0] == 0
    _, digest = backend.run(handle, spec, ["sha256sum", "/work/good.bin"])
    got = backend.fetch(handle, "good.bin", tmp_path / "out", 1_000_000)
    assert got == tmp_path / "out" / "good.bin"
    assert hashlib.sha256(got.read_bytes()).hexdigest() == digest.split()[0]
    nested = backend.fetch(handle, "/work/sub/dir/n.txt", tmp_path / "out", 100)
    assert nested.read_text() == "nested\n"
    assert backend.is_running(handle)  # unpaused after the copy


def test_lab_client_reaches_a_host_socket(start_lab: Any, backend: DockerBackend,
                                          make_spec: Any, engine: Any) -> None:
    handle, spec = start_lab()
    server = socket.socket(socket.AF_UNIX)
    path = spec.service_dir / "lab.sock"
    server.bind(str(path))
    secure_socket(path, backend.lab_uid)
    server.listen(1)
    # Only the lab's user may reach the socket: folder 0700 and socket 0600, both its own.
    assert (spec.service_dir.stat().st_uid, path.stat().st_uid) == (LAB_UID, LAB_UID)
    assert stat.S_IMODE(spec.service_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    probe = "import socket; socket.socket(socket.AF_UNIX).connect('/run/dflab/lab.sock')"
    other = engine.containers.get(handle.ref).exec_run(["python3", "-c", probe], user="65534")
    assert other.exit_code != 0 and b"Permission denied" in other.output

    def echo() -> None:
        conn, _ = server.accept()
        with conn:
            data = b""
            while chunk := conn.recv(4096):
                data += chunk
            conn.sendall(json.dumps({"ok": True, "data": {"echo": json.loads(data)}}).encode())

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    try:
        code, out = backend.run(handle, spec, in_lab_python(
            "import importlib.machinery as m\n"
            "lab = m.SourceFileLoader('lab', '/usr/local/bin/lab').load_module()\n"
            "print(lab.request({'op': 'tasks'}, '/run/dflab/lab.sock'))"))
    finally:
        thread.join(10)
        server.close()
    assert code == 0, out
    assert out.strip() == "{'echo': {'v': 1, 'op': 'tasks'}}"


def test_gc_removes_dflab_leftovers_only(lab_images: Any, make_spec: Any, engine: Any,
                                         tmp_path: Path) -> None:
    import dataclasses

    home = Home(tmp_path / "home")
    stranger = engine.containers.create("dflab/lab-network:latest", ["sleep", "60"],
                                        network_mode="none", labels={"owner": "someone-else"})
    with DockerBackend() as backend:
        try:
            spec = dataclasses.replace(make_spec(), owner=home.owner)
            handle = backend.prepare(spec)
            would = backend.gc(home, dry_run=True)
            assert would == [f"container {container_name(spec.session_id)}",
                             f"volume {volume_name(spec.session_id)}"]
            assert backend.is_running(handle)  # a dry run removes nothing
            removed = backend.gc(home)
            assert f"volume {volume_name(spec.session_id)}" in removed
            assert not backend.is_running(handle)
            assert not engine.volumes.list(filters={"name": volume_name(spec.session_id)})
            engine.containers.get(stranger.id)  # still there
        finally:
            stranger.remove(force=True)


def test_resume_finds_the_same_lab_with_work_intact(lab_images: Any, make_spec: Any,
                                                    engine: Any) -> None:
    spec: LabSpec = make_spec()
    with DockerBackend() as first:
        handle = first.prepare(spec)
        first.run(handle, spec, ["sh", "-c", "echo kept > /work/notes.txt"])
    try:
        engine.containers.get(handle.ref).stop(timeout=1)
        with DockerBackend() as second:  # the handle's owner is gone
            again = second.prepare(spec)
            assert again.ref == handle.ref
            assert second.run(again, spec, ["cat", "/work/notes.txt"]) == (0, "kept\n")
            second.stop(again, remove_work=False)
            assert not second.is_running(again)
            recreated = second.prepare(spec)
            assert recreated.ref != handle.ref
            assert second.run(recreated, spec, ["cat", "/work/notes.txt"]) == (0, "kept\n")
    finally:
        with DockerBackend() as cleanup:
            cleanup.stop(handle)


def test_errors_name_a_fix(start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab()
    backend.stop(handle)
    with pytest.raises(BackendError) as err:
        backend.run(handle, spec, ["true"])
    assert "dflab resume" in err.value.one_line()


def test_available_says_no_without_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DockerBackend().available() is True
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert DockerBackend().available() is False
    with pytest.raises(BackendError) as err:
        DockerBackend().find("x")
    assert "Docker daemon running" in err.value.one_line()
    assert os.environ["DOCKER_HOST"].startswith("unix:///nonexistent")


def test_gc_with_an_owner_leaves_other_homes_labs(lab_images: Any, make_spec: Any,
                                                   engine: Any, tmp_path: Path) -> None:
    import dataclasses

    home_a, home_b = Home(tmp_path / "a"), Home(tmp_path / "b")
    with DockerBackend() as backend:
        mine = backend.prepare(dataclasses.replace(make_spec(), owner=home_a.owner))
        theirs_spec = dataclasses.replace(make_spec(), owner=home_b.owner)
        theirs = backend.prepare(theirs_spec)
        try:
            removed = backend.gc(home_a)
            assert not backend.is_running(mine)
            assert backend.is_running(theirs)
            assert all(theirs_spec.session_id not in item for item in removed)
        finally:
            backend.stop(theirs, remove_work=True)
            backend.stop(mine, remove_work=True)
