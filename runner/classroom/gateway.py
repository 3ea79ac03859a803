"""The SSH gateway: ``ssh SEAT@server -p 2222`` lands in that seat's own lab.

Trainees need no account on the server and never touch the Docker socket:
the gateway checks the seat's password (or registered public key), opens a
local pseudo-terminal and runs ``dflab class attach`` on it, which joins the
lab's login shell exactly as ``dflab start`` does for a solo trainee (the
terminal side is :mod:`runner.classroom.terminal`). Logins are limited per
connection, per seat and per address (:mod:`runner.classroom.guard`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import asyncssh

from runner.classroom import credentials
from runner.classroom.credentials import hash_password, new_password
from runner.classroom.guard import MAX_TRIES_PER_CONNECTION, LoginGuard
from runner.classroom.terminal import SeatTerminal
from runner.errors import DflabError, NotFoundError
from runner.home import Home


def host_key(home: Path) -> asyncssh.SSHKey:
    """The gateway's host key: made once, kept in the home's classroom folder (0600)."""
    folder = Home(home).classroom
    path = folder / "ssh_host_key"
    if not path.exists():
        Home(home).private_dir(folder)
        key = asyncssh.generate_private_key("ssh-ed25519")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key.export_private_key())
    return asyncssh.read_private_key(str(path))


class Seats:
    """Who may log in: seat passwords and keys, read from the class tables."""

    def __init__(self, home: Path, class_name: str,
                 log: Callable[[str], None] = lambda _: None) -> None:
        self.home = home
        self.class_name = class_name
        self.classes = Home(home).classes()
        self.log = log
        self.guard = LoginGuard()
        # An unknown seat is checked against this hash, with the same scrypt work as a real
        # one, so the time a refusal takes does not tell which seats exist.
        self.decoy = hash_password(new_password())
        self.logged: dict[str, float] = {}

    def worth_logging(self, key: str, every: float = 60.0) -> bool:
        """Whether to log a refusal for ``key`` now: a locked-out guesser hammering the
        gateway gets one line a minute, not one per try."""
        now = time.monotonic()
        if now - self.logged.get(key, -every) < every:
            return False
        if len(self.logged) > 10_000:
            self.logged.clear()
        self.logged[key] = now
        return True

    def password_hash(self, seat: str) -> str:
        """The seat's stored hash, or the decoy for an unknown seat."""
        try:
            return self.classes.seat(self.class_name, seat).pw_hash
        except NotFoundError:
            return self.decoy
        except DflabError as exc:  # a store failure is logged, not passed off as a typo
            self.log(f"login check for '{seat}' failed: {exc.one_line()}")
            return self.decoy

    def check_password(self, seat: str, password: str) -> bool:
        stored = self.password_hash(seat)
        ok = credentials.check_password(password, stored)
        return ok and stored is not self.decoy

    def check_key(self, seat: str, key: asyncssh.SSHKey) -> bool:
        try:
            row = self.classes.seat(self.class_name, seat)
        except DflabError:
            return False
        wanted = key.export_public_key("openssh").decode().split()[:2]
        return any(line.split()[:2] == wanted for line in row.pubkeys.splitlines() if line)

    def close(self) -> None:
        self.classes.close()


class SeatLogin(asyncssh.SSHServer):
    """Authentication of one SSH connection against the seats of one class.

    At most :data:`MAX_TRIES_PER_CONNECTION` passwords per connection; failures
    are logged and counted by the seats' :class:`LoginGuard` (backoff, lockout).
    """

    def __init__(self, seats: Seats, attach: Callable[[str, str], list[str]]) -> None:
        self.seats = seats
        self.attach = attach
        self.conn: asyncssh.SSHServerConnection | None = None
        self.peer = "?"
        self.tries = 0
        self.login_id = 0

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else "?"

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self.tries < MAX_TRIES_PER_CONNECTION

    async def validate_password(self, username: str, password: str) -> bool:
        self.tries += 1
        guard, log = self.seats.guard, self.seats.log
        locked = guard.locked_for(username, self.peer)
        if locked:
            if self.seats.worth_logging(f"{username}@{self.peer}"):
                log(f"login refused for '{username}' from {self.peer}: locked for "
                    f"{locked:.0f} s after repeated failures (said once a minute)")
            self._hang_up_if_spent()
            return False
        await asyncio.sleep(guard.delay(username, self.peer))
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(None, self.seats.check_password, username, password)
        if ok:
            guard.succeeded(username, self.peer)
            return True
        locks = guard.failed(username, self.peer)
        log(f"failed password for '{username}' from {self.peer}"
            + (" (locked for a while)" if locks else ""))
        self._hang_up_if_spent()
        return False

    def _hang_up_if_spent(self) -> None:
        if self.tries >= MAX_TRIES_PER_CONNECTION and self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                                 "too many wrong passwords")

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return self.seats.check_key(username, key)

    def auth_completed(self) -> None:
        assert self.conn is not None
        seat = str(self.conn.get_extra_info("username"))
        self.seats.log(f"seat {seat}: login from {self.peer}")
        with contextlib.suppress(DflabError):
            self.login_id = self.seats.classes.login_opened(self.seats.class_name, seat,
                                                            self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.login_id:
            with contextlib.suppress(DflabError):
                self.seats.classes.login_closed(self.login_id)
            self.login_id = 0

    def session_requested(self) -> asyncssh.SSHServerSession[bytes]:
        assert self.conn is not None
        return SeatTerminal(self.seats, str(self.conn.get_extra_info("username")), self.attach)

async def open_gateway(seats: Seats, attach: Callable[[str, str], list[str]], host: str,
                       port: int) -> asyncssh.SSHAcceptor:
    """Start listening; the acceptor closes the listener."""
    return await asyncssh.create_server(
        lambda: SeatLogin(seats, attach), host, port,
        server_host_keys=[host_key(seats.home)], encoding=None, line_editor=False,
        keepalive_interval=30, login_timeout=60, agent_forwarding=False,
        x11_forwarding=False, allow_scp=False)


def fingerprint(home: Path) -> str:
    """The host key's fingerprint as ``ssh`` shows it (``SHA256:...``)."""
    return str(host_key(home).get_fingerprint("sha256"))


def attach_argv(home: Path, class_name: str) -> Callable[[str, str], list[str]]:
    """The command the gateway runs on a seat's pty."""

    def argv(seat: str, scenario: str) -> list[str]:
        extra = [scenario] if scenario else []
        return [sys.executable, "-m", "runner.cli", "--home", str(home), "class", "attach",
                class_name, seat, *extra]

    return argv
