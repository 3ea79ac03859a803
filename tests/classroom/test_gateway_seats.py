"""What a trainee sees over SSH when the trainer acts (Docker labs, ``class serve`` as a process).

A class of three seats with two scenarios each, served on all addresses;
trainees log in from a non-loopback address of this machine with asyncssh.
Needs a Docker engine (marked ``docker``: CI runs these and fails without one).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from helpers import CliRunner

from runner.backends import images
from runner.classroom.addresses import is_loopback
from runner.classroom.store import ClassStore
from runner.session.runtime import existing_session

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parent.parent.parent
NAME = "seats"


class Served:
    """``dflab class serve --host 0.0.0.0`` with its start-up lines read from stderr."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.log = home.parent / "serve.log"
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.out = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "--home", str(home), "class", "serve", NAME,
             "--host", "0.0.0.0", "--port", str(self.port), "--rate", "1000"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.out,
            env={**os.environ, "NO_COLOR": "1"}, start_new_session=True)
        deadline = time.monotonic() + 90
        while "host key fingerprint" not in self.text():
            if self.proc.poll() is not None:
                self.out.close()
                raise AssertionError(f"class serve exited: {self.text()}")
            assert time.monotonic() < deadline, f"class serve did not start: {self.text()}"
            time.sleep(0.2)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def addresses(self) -> list[str]:
        return re.findall(r"trainees: ssh SEAT@(\S+) -p", self.text())

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.out.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, dict[str, str]]]:
    images.build_images(["network"])
    home = tmp_path_factory.mktemp("seats") / "home"
    cli = CliRunner(home)
    roster = home.parent / "roster.csv"
    roster.write_text("id;name\nalice;Alice\nbob;Bob\ncarol;Carol\n")
    creds = home.parent / "creds.csv"
    made = cli("class", "create", NAME, "--scenario", "port-scan-triage", "--scenario",
               "arp-poisoning", "--roster", str(roster), "--minutes", "30",
               "--credentials-out", str(creds))
    assert made.code == 0, made.stderr
    passwords = {line.split(",")[1]: line.split(",")[-1]
                 for line in creds.read_text().splitlines()[1:]}
    server = None
    try:
        started = cli("class", "start", NAME, "--parallel", "3", "--json")
        assert started.code == 0, started.stdout + started.stderr
        server = Served(home)
        yield server, passwords
    finally:
        if server is not None:
            server.stop()
        _remove_labs(home)


def _remove_labs(home: Path) -> None:
    classes = ClassStore.open(home)
    try:
        for lab in classes.labs(NAME):
            if lab.session_id:
                running = existing_session(home, lab.session_id)
                running.backend.stop(running.handle, remove_work=True)
                getattr(running.backend, "close", lambda: None)()
                running.store.close()
    finally:
        classes.close()


class Terminal:
    """A trainee's SSH terminal: type lines, wait for text."""

    def __init__(self, proc: Any) -> None:
        self.proc = proc
        self.seen = ""
        self.read_to = 0  # what was already waited for is not matched again

    async def wait_for(self, text: str, timeout: float = 60) -> None:
        while text not in self.seen[self.read_to:]:
            try:
                chunk = await asyncio.wait_for(self.proc.stdout.read(4096), timeout=timeout)
            except TimeoutError:
                raise AssertionError(f"no '{text}' in {self.seen[-600:]!r}") from None
            assert chunk, f"the session ended before '{text}': {self.seen[-600:]!r}"
            self.seen += chunk.decode("utf-8", "replace")
        self.read_to = self.seen.index(text, self.read_to) + len(text)

    def type(self, line: str) -> None:
        self.proc.stdin.write(line.encode() + b"\n")


async def _login(served: Served, seat: str, password: str
                 ) -> tuple[asyncssh.SSHClientConnection, Terminal]:
    # From this machine's first non-loopback address: the way a trainee's laptop connects.
    address = served.addresses()[0]
    conn = await asyncssh.connect(address, served.port, username=seat, password=password,
                                  known_hosts=None, client_keys=None, agent_path=None)
    proc = await conn.create_process(term_type="xterm", term_size=(100, 30), encoding=None)
    return conn, Terminal(proc)


async def _choose(term: Terminal, number: str) -> None:
    await term.wait_for("Open which lab [1-2]?")
    term.type(number)
    await term.wait_for("time left")


def _attempts(home: Path, seat: str, scenario: str) -> list[str]:
    classes = ClassStore.open(home)
    try:
        (lab,) = [lab for lab in classes.labs(NAME, seat) if lab.scenario_id == scenario]
        return [a.raw for a in classes.store.attempts(lab.session_id)]
    finally:
        classes.close()


def test_serve_names_reachable_addresses_and_the_fingerprint_ssh_shows(served):
    server, passwords = served
    text = server.text()
    assert server.addresses() and not is_loopback(server.addresses()[0])
    assert "only this machine" not in text  # 0.0.0.0 is not loopback

    async def go() -> str:
        conn, _ = await _login(server, "carol", passwords["carol"])
        async with conn:
            key = conn.get_server_host_key()
            assert key is not None
            return str(key.get_fingerprint("sha256"))

    fingerprint = asyncio.run(go())
    assert f"host key fingerprint: {fingerprint}\n" in text
    assert fingerprint.startswith("SHA256:")
    deadline = time.monotonic() + 10
    while not (logins := re.findall(r"seat carol: login from (\S+)", server.text())):
        assert time.monotonic() < deadline, server.text()
        time.sleep(0.2)
    assert not is_loopback(logins[0])  # logged with where it came from


def test_the_openssh_client_sees_that_fingerprint_and_logs_in(served, tmp_path):
    server, passwords = served
    address = server.addresses()[0]
    scanned = subprocess.run(["ssh-keyscan", "-p", str(server.port), "-t", "ed25519", address],
                             capture_output=True, text=True, timeout=60, check=True).stdout
    listed = subprocess.run(["ssh-keygen", "-lf", "-"], input=scanned, capture_output=True,
                            text=True, timeout=60, check=True).stdout
    fingerprint = listed.split()[1]
    assert f"host key fingerprint: {fingerprint}\n" in server.text()
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{passwords['carol']}'\n")
    askpass.chmod(0o700)
    env = {**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force"}
    done = subprocess.run(
        ["ssh", "-T", "-p", str(server.port), "-o", "StrictHostKeyChecking=no",
         "-o", f"UserKnownHostsFile={tmp_path / 'known_hosts'}", "-o", "PubkeyAuthentication=no",
         "-o", "PreferredAuthentications=password", f"carol@{address}", "arp-poisoning"],
        input="echo OK-$((40+2)) $(ls /evidence); exit\n", capture_output=True, text=True,
        env=env, timeout=120, check=False)
    assert "OK-42 arppoison.pcapng" in done.stdout, done.stdout + done.stderr
    recorded = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "known_hosts")],
                              capture_output=True, text=True, timeout=60, check=True).stdout
    assert fingerprint in recorded  # what ssh stored is what serve printed


def test_a_seat_picks_its_lab_from_a_menu(served):
    server, passwords = served

    async def go() -> str:
        conn, term = await _login(server, "carol", passwords["carol"])
        async with conn:
            await term.wait_for("2) arp-poisoning: The man in the middle")
            await _choose(term, "2")
            term.type("echo EVIDENCE-$(ls /evidence)")
            await term.wait_for("EVIDENCE-arppoison.pcapng")
            return term.seen

    assert "The man in the middle" in asyncio.run(go())


def test_an_answer_typed_during_a_pause_is_refused_not_queued(served):
    server, passwords = served
    cli = CliRunner(server.home)

    async def go() -> None:
        conn, term = await _login(server, "alice", passwords["alice"])
        async with conn:
            await _choose(term, "1")
            assert cli("class", "pause", NAME, "alice").code == 0
            await term.wait_for("your seat is paused by the trainer")
            term.type("lab answer scanner 10.66.66.66")
            await term.wait_for("your typing is ignored")
            assert cli("class", "resume", NAME, "alice").code == 0
            await term.wait_for("your seat is resumed")
            term.type("lab answer scanner 10.1.2.3; echo DONE-$((40+2))")
            await term.wait_for("DONE-42")

    asyncio.run(go())
    assert _attempts(server.home, "alice", "port-scan-triage") == ["10.1.2.3"]


def test_a_reset_says_so_and_reconnects_to_a_fresh_lab(served):
    server, passwords = served
    cli = CliRunner(server.home)

    async def go() -> str:
        conn, term = await _login(server, "bob", passwords["bob"])
        async with conn:
            await _choose(term, "1")
            term.type("echo old-notes > /work/notes.txt; echo DONE-$((40+2))")
            await term.wait_for("DONE-42")
            reset = await asyncio.get_running_loop().run_in_executor(
                None, cli, "class", "reset", NAME, "bob")
            assert reset.code == 0, reset.stderr
            await term.wait_for("the trainer reset your lab: reconnecting")
            await _choose(term, "1")
            term.type("ls /work; echo FRESH-$((40+2))")
            await term.wait_for("FRESH-42")
            return term.seen.split("reset your lab")[1]

    assert "notes.txt" not in asyncio.run(go())


def test_time_up_and_collect_are_told_before_the_session_ends(served):
    server, passwords = served
    cli = CliRunner(server.home)

    async def go() -> tuple[str, str]:
        conn_a, alice = await _login(server, "alice", passwords["alice"])
        conn_c, carol = await _login(server, "carol", passwords["carol"])
        async with conn_a, conn_c:
            await _choose(alice, "1")
            await _choose(carol, "1")
            classes = ClassStore.open(server.home)
            try:  # carol's 30 minutes are over (her clock moved back, nothing waited)
                classes.update_seat(NAME, "carol", started_at=time.time() - 31 * 60)
            finally:
                classes.close()
            await carol.wait_for("time is up: answering is closed")
            collected = await asyncio.get_running_loop().run_in_executor(
                None, cli, "class", "collect", NAME)
            assert collected.code == 0, collected.stderr
            await alice.wait_for("the trainer collected the class")
            for term in (alice, carol):  # told first, then the session ends
                await asyncio.wait_for(term.proc.wait_closed(), timeout=60)
            return alice.seen, carol.seen

    alice, carol = asyncio.run(go())
    assert alice.rstrip().endswith("\x1b[0m") or "collected the class" in alice[-300:]
    assert "time is up" in carol
