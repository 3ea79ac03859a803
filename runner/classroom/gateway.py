"""The SSH gateway: ``ssh SEAT@server -p 2222`` lands in that seat's own lab.

Trainees need no account on the server and never touch the Docker socket:
the gateway checks the seat's password (or registered public key), opens a
local pseudo-terminal and runs ``dflab class attach`` on it, which joins the
lab's login shell exactly as ``dflab start`` does for a solo trainee. Bytes
are copied between the SSH channel and the pty; a window change is set on
the pty, whose kernel sends SIGWINCH to the attach process.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh

from runner.classroom import credentials
from runner.classroom.credentials import hash_password, new_password
from runner.classroom.guard import MAX_TRIES_PER_CONNECTION, LoginGuard
from runner.classroom.notices import RESET_DONE, SeatState, notice, seat_state
from runner.classroom.notices import line as notice_line
from runner.errors import DflabError, NotFoundError
from runner.home import Home

_CHUNK = 65536
WATCH_SECONDS = 1.0  # how often a seat's terminal looks at the seat's state
RESET_WAIT = 180.0  # how long a terminal waits for a reset to bring a fresh lab


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


def _set_size(fd: int, cols: int, rows: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows or 24, cols or 80, 0, 0))


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

class SeatTerminal(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session: a local pty running ``dflab class attach`` for the seat.

    Beside it, a watcher writes a one-line notice when the trainer acts on the
    seat; while the seat is paused, what the trainee types is dropped (not
    queued for after the pause); after a reset the seat is attached again.
    """

    def __init__(self, seats: Seats, seat: str, attach: Callable[[str, str], list[str]]) -> None:
        self.seats = seats
        self.seat = seat
        self.attach = attach
        self.chan: Any = None
        self.size = (80, 24)
        self.term = "xterm-256color"
        self.command = ""
        self.master = -1
        self.proc: asyncio.subprocess.Process | None = None
        self.task: asyncio.Task[None] | None = None
        self.watcher: asyncio.Task[None] | None = None
        self.last: SeatState | None = None
        self.hushed_until = 0.0
        self.pending = b""

    def connection_made(self, chan: Any) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Any) -> bool:
        self.term = term_type or self.term
        self.size = (term_size[0] or 80, term_size[1] or 24)
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self.command = command.strip()  # the scenario to open, when a seat has several
        return True

    def session_started(self) -> None:
        self.task = asyncio.ensure_future(self._run())

    async def _state(self) -> SeatState | None:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, seat_state, self.seats.classes,
                                              self.seats.class_name, self.seat)
        except DflabError:
            return None

    def _tell(self, text: str) -> None:
        with contextlib.suppress(Exception):
            self.chan.write(notice_line(text))

    async def _observe(self) -> SeatState | None:
        """Take the seat's state; show the notice its change calls for."""
        now = await self._state()
        if now is not None and self.last is not None:
            text = notice(self.last, now)
            if text:
                self._tell(text)
        self.last = now or self.last
        return now

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            await self._observe()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.seats.classes.start_clock, self.seats.class_name,
                                   self.seat, time.time())  # the class's clock: first login
        self.last = await self._state()
        self.watcher = asyncio.ensure_future(self._watch())
        code = 0
        try:
            while True:
                marked = self.last.resets if self.last else ""
                code = await self._attach_once()
                now = await self._observe()
                if now is None or now.over or now.resets == marked:
                    break  # the trainee left, or the seat is over (its notice is shown)
                code = await self._await_reset()
                if code:
                    break
        finally:
            self.watcher.cancel()
        with contextlib.suppress(Exception):
            self.chan.exit(code)

    async def _await_reset(self) -> int:
        """Wait until the trainer's reset is done (0), or give up (1)."""
        for _ in range(int(RESET_WAIT / WATCH_SECONDS)):
            now = await self._observe()
            if now is None or now.over:
                return 1
            if now.resets.startswith(RESET_DONE):
                return 0
            await asyncio.sleep(WATCH_SECONDS)
        self._tell("the reset takes too long: log in again in a minute")
        return 1

    async def _attach_once(self) -> int:
        master, slave = pty.openpty()
        self.master = master
        _set_size(master, *self.size)
        env = {**os.environ, "TERM": self.term}
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.attach(self.seat, self.command), stdin=slave, stdout=slave,
                stderr=slave, start_new_session=True, env=env)
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        loop = asyncio.get_running_loop()
        loop.add_reader(master, self._pump)
        if self.pending:
            typed, self.pending = self.pending, b""
            self.data_received(typed, None)
        code = await self.proc.wait()
        self._pump()
        self._close_master()
        return code

    def _pump(self) -> None:
        while self.master >= 0:
            try:
                data = os.read(self.master, _CHUNK)
            except BlockingIOError:
                return
            except OSError:  # EIO: every process holding the pty has gone
                data = b""
            if not data:
                asyncio.get_running_loop().remove_reader(self.master)
                return
            try:
                self.chan.write(data)
            except (BrokenPipeError, ConnectionError):  # the trainee hung up: stop copying
                asyncio.get_running_loop().remove_reader(self.master)
                return

    def data_received(self, data: bytes, datatype: Any) -> None:
        if self.last is not None and self.last.paused:
            # Refused, not queued: an answer typed now must not be judged after the pause.
            if time.monotonic() >= self.hushed_until:
                self._tell("paused by the trainer: your typing is ignored until it resumes")
                self.hushed_until = time.monotonic() + 5
            return
        if self.master < 0:  # typed before the lab's shell is attached: kept for it
            self.pending = (self.pending + data)[-_CHUNK:]
            return
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.master, view):]
            except BlockingIOError:
                continue
            except OSError:
                return

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        self.size = (width, height)
        if self.master >= 0:
            _set_size(self.master, width, height)

    def eof_received(self) -> bool:
        if self.master >= 0:
            self.data_received(b"\x04", None)
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGHUP)
        self._close_master()

    def _close_master(self) -> None:
        if self.master >= 0:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self.master)
            os.close(self.master)
            self.master = -1


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
