"""``class serve`` with the database pulled from under it (issue 10, item 11)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.classroom.serve import ClassServer
from runner.classroom.store import ClassStore
from runner.errors import ExitCode


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def ask(path: Path, **payload: object) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(path))
        sock.sendall((json.dumps({"v": 1, **payload}) + "\n").encode())
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return json.loads(data)


def first_task(server: ClassServer) -> tuple[Path, str]:
    served = next(iter(server.served.values()))
    return served.thread.path, served.running.loaded.model.tasks[0].id


def test_reconcile_rounds_leak_no_descriptors(local_class, home: Path):
    server = ClassServer(home, local_class)
    try:
        server.reconcile()
        server.reconcile()
        before = open_fds()
        for _ in range(20):
            server.reconcile()
        assert open_fds() == before
        assert len(server.served) == 2
    finally:
        server.close()


@pytest.mark.parametrize("damage", ["truncate", "replace"])
def test_a_damaged_database_stops_answers_and_says_so(local_class, home: Path, damage: str):
    logged: list[str] = []
    server = ClassServer(home, local_class, log=logged.append)
    try:
        server.reconcile()
        sock, task = first_task(server)
        assert ask(sock, op="answer", task=task, value="10.9.9.9")["ok"]
        db = home / "sessions.db"
        if damage == "truncate":
            os.truncate(db, 0)
        else:
            shutil.copy(db, home / "copy.db")
            os.replace(home / "copy.db", db)
        before = open_fds()
        reply = ask(sock, op="answer", task=task, value="10.9.9.8")
        assert not reply["ok"] and reply["code"] == ExitCode.STORE
        assert "no more answers are accepted" in reply["error"]
        for _ in range(10):
            server.reconcile()
        assert open_fds() <= before
        assert len([line for line in logged if "session database" in line]) == 1
    finally:
        server.close()


def test_an_empty_database_is_an_error_not_a_new_empty_home(cli, local_class, home: Path):
    os.truncate(home / "sessions.db", 0)
    result = cli("status")
    assert result.code == ExitCode.STORE
    assert "is empty (0 bytes)" in result.stderr and "Traceback" not in result.stderr
    assert (home / "sessions.db").stat().st_size == 0  # nothing re-created over it
    with pytest.raises(Exception, match="empty"):
        ClassStore.open(home)


def test_sigterm_stops_serve_promptly_even_with_a_broken_database(local_class, home: Path):
    env = {**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "dflab"), "class", "serve",
                             local_class, "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        sockets = list(home.rglob("lab.sock"))
        while len(sockets) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            sockets = list(home.rglob("lab.sock"))
        assert len(sockets) == 2
        os.truncate(home / "sessions.db", 0)
        time.sleep(2.5)  # at least one reconcile round against the broken file
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)  # a hang guard, not a speed target
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err + out
    assert "session database" in err + out
