"""End to end over SSH: two seats on Docker, the gateway as a real process, SIGKILL and resume.

Needs a Docker engine (marked ``docker``: CI runs these and fails without one).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from helpers import CliRunner

from runner.backends import images
from runner.classroom.store import ClassStore
from runner.session.runtime import existing_session

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gateway:
    """``dflab class serve`` as a subprocess, killed or stopped by the test."""

    def __init__(self, home: Path, name: str) -> None:
        self.home, self.name, self.port = home, name, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "--home", str(self.home), "class", "serve",
             self.name, "--port", str(self.port), "--rate", "1000"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "dflab class serve exited"
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError("the gateway did not listen within 60 s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        self.proc = None


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    images.build_images(["network"])
    home = tmp_path_factory.mktemp("class") / "home"
    cli = CliRunner(home)
    roster = home.parent / "roster.csv"
    roster.write_text("username,firstname,lastname,email\nalice,Alice,Adams,a@x.org\n"
                      "bob,Bob,Brown,b@x.org\n")
    creds = home.parent / "creds.csv"
    made = cli("class", "create", "e2e", "--scenario", "port-scan-triage", "--roster",
               str(roster), "--minutes", "30", "--credentials-out", str(creds))
    assert made.code == 0, made.stderr
    passwords = {line.split(",")[1]: line.split(",")[-1]
                 for line in creds.read_text().splitlines()[1:]}
    try:
        started = cli("class", "start", "e2e", "--json", "--parallel", "2")
        assert started.code == 0, started.stdout + started.stderr
        yield home, passwords
    finally:
        classes = ClassStore.open(home)
        for lab in classes.labs("e2e"):
            if lab.session_id:
                running = existing_session(home, lab.session_id)
                running.backend.stop(running.handle, remove_work=True)
                getattr(running.backend, "close", lambda: None)()
                running.store.close()
        classes.close()


@pytest.fixture
def gateway(classroom: tuple[Path, dict[str, str]]) -> Iterator[Gateway]:
    gw = Gateway(classroom[0], "e2e")
    gw.start()
    yield gw
    gw.kill(signal.SIGTERM)


async def _session(port: int, user: str, password: str, lines: list[str], until: str,
                   resize: tuple[int, int] | None = None) -> str:
    """Log in, type ``lines`` in the lab's shell, and return the output up to ``until``."""
    async with asyncssh.connect("127.0.0.1", port, username=user, password=password,
                                known_hosts=None, client_keys=None) as conn:
        proc = await conn.create_process(term_type="xterm", term_size=(100, 30),
                                         encoding=None)
        if resize is not None:
            await asyncio.sleep(1.0)
            proc.change_terminal_size(*resize)
            await asyncio.sleep(0.5)
        for line in lines:
            proc.stdin.write(line.encode() + b"\n")
        seen = b""
        while until.encode() not in seen:
            try:
                chunk = await asyncio.wait_for(proc.stdout.read(4096), timeout=30)
            except TimeoutError:
                raise AssertionError(f"no '{until}' in {seen[-600:]!r}") from None
            assert chunk, f"the session ended early: {seen[-500:]!r}"
            seen += chunk
        proc.stdin.write(b"exit\n")
        await asyncio.wait_for(proc.wait_closed(), timeout=30)
        return seen.decode("utf-8", "replace")


def _attempts(home: Path, seat: str) -> list[str]:
    classes = ClassStore.open(home)
    try:
        (lab,) = classes.labs("e2e", seat)
        return [a.raw for a in classes.store.attempts(lab.session_id)]
    finally:
        classes.close()


def test_a_seat_answers_over_ssh_and_only_as_itself(classroom, gateway):
    home, passwords = classroom
    out = asyncio.run(_session(gateway.port, "alice", passwords["alice"],
                               ["lab answer scanner 10.9.9.9", "stty size",
                                "echo DONE-$((40+2))"], "DONE-42", resize=(132, 43)))
    assert "not correct" in out.lower()
    assert "43 132" in out  # the window change reached the lab's terminal
    assert _attempts(home, "alice") == ["10.9.9.9"]
    assert _attempts(home, "bob") == []
    status = json.loads(CliRunner(home)("class", "status", "e2e", "--json").stdout)
    alice = next(s for s in status["seats"] if s["seat"] == "alice")
    assert alice["attempts"] == 1 and alice["last_activity"] is not None


def test_a_wrong_password_is_refused(classroom, gateway):
    _, passwords = classroom
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(_session(gateway.port, "alice", passwords["bob"], [], "x"))
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(_session(gateway.port, "mallory", "nothing", [], "x"))


def test_sigkill_and_restart_keeps_answers_and_work(classroom, gateway):
    home, passwords = classroom
    asyncio.run(_session(gateway.port, "bob", passwords["bob"],
                         ["echo kept-notes > /work/notes.txt",
                          "lab answer scanner 172.16.0.8", "echo DONE-$((40+2))"], "DONE-42"))
    assert _attempts(home, "bob") == ["172.16.0.8"]
    gateway.kill(signal.SIGKILL)
    gateway.start()
    out = asyncio.run(_session(gateway.port, "bob", passwords["bob"],
                               ["cat /work/notes.txt", "lab score", "echo DONE-$((40+2))"],
                               "DONE-42"))
    assert "kept-notes" in out and "10" in out
    assert _attempts(home, "bob") == ["172.16.0.8"]
