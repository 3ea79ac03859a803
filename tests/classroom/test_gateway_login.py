"""The SSH gateway's logins and seat notices over real SSH (asyncssh client), without Docker.

The gateway runs in the test's event loop with the class's real seats; the
command a login runs is a small stand-in for ``dflab class attach`` that
echoes what reaches it, so what the trainee's terminal shows and what the
gateway lets through can be read exactly.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from helpers import CliRunner

from runner.classroom import credentials, gateway, terminal
from runner.classroom.gateway import Seats, open_gateway
from runner.classroom.guard import MAX_TRIES_PER_CONNECTION, GuardPolicy
from runner.classroom.store import ClassStore

# Stands in for `dflab class attach`: says it is attached, then echoes each line it gets.
STUB = ("import sys\nprint('attached', flush=True)\n"
        "for line in sys.stdin:\n    print('got:' + line.strip()[::-1], flush=True)\n")


def _passwords(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "creds.csv").read_text().splitlines()[1:]
    return {line.split(",")[1]: line.split(",")[-1] for line in lines}


@asynccontextmanager
async def _gateway(home: Path, logs: list[str], policy: GuardPolicy | None = None
                   ) -> AsyncIterator[tuple[int, Seats]]:
    seats = Seats(home, "c1", logs.append)
    if policy is not None:
        seats.guard.policy = policy
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    acceptor = await open_gateway(seats, lambda seat, sc: [sys.executable, "-c", STUB],
                                  "127.0.0.1", port)
    try:
        yield port, seats
    finally:
        acceptor.close()
        await acceptor.wait_closed()
        # Let the sessions' tasks see their attach processes end (the gateway hung them up).
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others, timeout=10)
        seats.close()


class _Guesser(asyncssh.SSHClient):
    """Offers passwords one after another on one connection, counting the offers."""

    def __init__(self, guesses: list[str]) -> None:
        self.guesses = guesses
        self.offered = 0

    def password_auth_requested(self) -> str | None:
        if self.offered >= len(self.guesses):
            return None
        self.offered += 1
        return self.guesses[self.offered - 1]


async def _login(port: int, user: str, password: str, **kw: Any) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect("127.0.0.1", port, username=user, password=password,
                                  known_hosts=None, client_keys=None, agent_path=None, **kw)


async def _read_until(proc: Any, text: str, seen: list[str]) -> None:
    while text not in "".join(seen):
        chunk = await asyncio.wait_for(proc.stdout.read(4096), timeout=20)
        assert chunk, f"the session ended before '{text}': {''.join(seen)[-400:]!r}"
        seen.append(chunk)


def test_a_connection_gets_three_passwords_then_is_closed(local_class, home, tmp_path):
    logs: list[str] = []

    async def go() -> int:
        async with _gateway(home, logs) as (port, _):
            guesser = _Guesser([f"guess{i}" for i in range(10)])
            with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError)):
                await asyncssh.connect("127.0.0.1", port, username="alice", known_hosts=None,
                                       client_keys=None, agent_path=None,
                                       client_factory=lambda: guesser)
            return guesser.offered

    assert asyncio.run(go()) == MAX_TRIES_PER_CONNECTION
    failed = [line for line in logs if line.startswith("failed password for 'alice' from ")]
    assert len(failed) == MAX_TRIES_PER_CONNECTION and "127.0.0.1" in failed[0]


def test_repeated_failures_lock_the_seat_and_the_address(local_class, home, tmp_path):
    logs: list[str] = []
    now = [1000.0]
    policy = GuardPolicy(free=100, lockout_after=4, lockout_seconds=60)

    async def go() -> None:
        async with _gateway(home, logs, policy) as (port, seats):
            seats.guard.clock = lambda: now[0]
            for _ in range(4):
                with pytest.raises(asyncssh.PermissionDenied):
                    await _login(port, "alice", "wrong")
            good = _passwords(tmp_path)
            for seat in ("alice", "bob", "alice", "bob"):  # the seat and the address: locked
                with pytest.raises(asyncssh.PermissionDenied):
                    await _login(port, seat, good[seat])
            now[0] += 61
            async with await _login(port, "alice", good["alice"]):
                pass

    asyncio.run(go())
    refused = [line for line in logs if line.startswith("login refused")]
    assert len(refused) == 2  # alice's and bob's: each said once, not on every try
    assert any(line.endswith("(locked for a while)") for line in logs)
    assert "seat alice: login from 127.0.0.1" in logs


def test_an_unknown_seat_costs_the_same_scrypt_as_a_known_one(local_class, home, monkeypatch):
    checked: list[str] = []
    real = credentials.check_password

    def spy(password: str, stored: str) -> bool:
        checked.append(stored.rsplit("$", 2)[0])  # the scheme and its cost parameters
        return real(password, stored)

    monkeypatch.setattr(gateway.credentials, "check_password", spy)

    async def go() -> None:
        async with _gateway(home, []) as (port, _):
            for user in ("alice", "mallory"):
                with pytest.raises(asyncssh.PermissionDenied):
                    await _login(port, user, "wrong")

    asyncio.run(go())
    assert len(checked) == 2 and checked[0] == checked[1]
    assert checked[0].startswith("scrypt$16384$8$1")


def test_agent_forwarding_is_refused(local_class, home, tmp_path, caplog):
    agent = tmp_path / "agent.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(agent))
    listener.listen()
    caplog.set_level(logging.INFO, logger="asyncssh")

    async def go() -> None:
        async with _gateway(home, []) as (port, _):
            conn = await asyncssh.connect(
                "127.0.0.1", port, username="alice", password=_passwords(tmp_path)["alice"],
                known_hosts=None, client_keys=None, agent_path=None,
                agent_forwarding=str(agent))
            async with conn:
                proc = await conn.create_process(term_type="xterm", encoding="utf-8")
                await _read_until(proc, "attached", [])
                proc.close()

    try:
        asyncio.run(go())
    finally:
        listener.close()
    assert "Agent forwarding request denied" in caplog.text


def test_logins_are_logged_and_the_board_shows_who_is_connected(local_class, home, tmp_path,
                                                                 cli: CliRunner):
    logs: list[str] = []

    async def go() -> tuple[dict[str, int], dict[str, int]]:
        async with _gateway(home, logs) as (port, seats):
            async with await _login(port, "bob", _passwords(tmp_path)["bob"]) as conn:
                proc = await conn.create_process(term_type="xterm", encoding="utf-8")
                await _read_until(proc, "attached", [])
                during = seats.classes.connected("c1")
                board = cli("class", "board", "c1", "--once").stdout
                assert "running+ssh" in board and "1 connected" in board
                proc.close()
            await asyncio.sleep(0.3)
            return during, seats.classes.connected("c1")

    during, after = asyncio.run(go())
    assert during == {"bob": 1} and after == {}
    assert "seat bob: login from 127.0.0.1" in logs


def _class(cli: CliRunner, roster: Callable[..., Path], tmp_path: Path, *extra: str) -> None:
    made = cli("class", "create", "c1", "--scenario", "port-scan-triage", "--roster",
               str(roster()), "--minutes", "60", "--credentials-out",
               str(tmp_path / "creds.csv"), *extra)
    assert made.code == 0, made.stderr
    assert cli("class", "start", "c1", "--backend", "local").code == 0


def test_with_the_first_login_clock_a_seat_starts_at_its_login(cli, roster, home, tmp_path):
    _class(cli, roster, tmp_path, "--clock", "first-login")
    classes = ClassStore.open(home)
    try:
        assert [s.started_at for s in classes.seats("c1")] == [None, None]
        assert classes.seat("c1", "alice").time_left(60) is None  # the clock stands still

        async def go() -> None:
            password = _passwords(tmp_path)["alice"]
            async with _gateway(home, []) as (port, _), \
                    await _login(port, "alice", password) as conn:
                proc = await conn.create_process(term_type="xterm", encoding="utf-8")
                await _read_until(proc, "attached", [])
                proc.close()

        asyncio.run(go())
        alice, bob = classes.seats("c1")
        assert alice.started_at is not None and bob.started_at is None
    finally:
        classes.close()


def test_the_seat_terminal_hears_of_pause_resume_extend_and_stop(local_class, home, tmp_path,
                                                                 cli: CliRunner, monkeypatch):
    monkeypatch.setattr(terminal, "WATCH_SECONDS", 0.1)

    async def go() -> str:
        seen: list[str] = []
        async with _gateway(home, []) as (port, _), \
                await _login(port, "alice", _passwords(tmp_path)["alice"]) as conn:
            proc = await conn.create_process(term_type="xterm", encoding="utf-8")
            await _read_until(proc, "attached", seen)
            assert cli("class", "pause", "c1", "alice").code == 0
            await _read_until(proc, "your seat is paused by the trainer", seen)
            proc.stdin.write("typed-while-paused\n")
            await _read_until(proc, "your typing is ignored", seen)
            assert cli("class", "resume", "c1", "alice").code == 0
            await _read_until(proc, "your seat is resumed", seen)
            proc.stdin.write("after\n")
            await _read_until(proc, "got:retfa", seen)
            assert cli("class", "extend", "c1", "alice", "--minutes", "5").code == 0
            await _read_until(proc, "gave you 5 more minute(s)", seen)
            assert cli("class", "stop", "c1", "alice").code == 0
            await _read_until(proc, "the trainer stopped your seat", seen)
        return "".join(seen)

    shown = asyncio.run(go())
    assert "desuap-elihw-depyt" not in shown  # refused, not queued for after the pause
    assert shown.count("[dflab]") >= 5


def test_serve_on_loopback_says_only_this_machine_can_connect(local_class, home, tmp_path):
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "--home", str(home), "class", "serve", "c1",
             "--port", "0"], stdout=subprocess.DEVNULL, stderr=err,
            env={**os.environ, "NO_COLOR": "1"}, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while "host key fingerprint" not in log.read_text():
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    text = log.read_text()
    assert "only this machine can connect (127.0.0.1 is loopback)" in text
    assert "--host 0.0.0.0" in text and "trainees: ssh SEAT@127.0.0.1 -p " in text
    assert f"host key fingerprint: {gateway.fingerprint(home)}" in text
