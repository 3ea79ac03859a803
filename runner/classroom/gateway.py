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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh

from runner.classroom.credentials import check_password
from runner.home import Home

_CHUNK = 65536


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

    def __init__(self, home: Path, class_name: str) -> None:
        self.home = home
        self.class_name = class_name
        self.classes = Home(home).classes()

    def check_password(self, seat: str, password: str) -> bool:
        try:
            row = self.classes.seat(self.class_name, seat)
        except Exception:  # unknown seat: same answer as a wrong password
            return False
        return check_password(password, row.pw_hash)

    def check_key(self, seat: str, key: asyncssh.SSHKey) -> bool:
        try:
            row = self.classes.seat(self.class_name, seat)
        except Exception:
            return False
        wanted = key.export_public_key("openssh").decode().split()[:2]
        return any(line.split()[:2] == wanted for line in row.pubkeys.splitlines() if line)

    def close(self) -> None:
        self.classes.close()


class SeatLogin(asyncssh.SSHServer):
    """Authentication of one SSH connection against the seats of one class."""

    def __init__(self, seats: Seats, attach: Callable[[str, str], list[str]]) -> None:
        self.seats = seats
        self.attach = attach
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.seats.check_password, username, password)

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return self.seats.check_key(username, key)

    def session_requested(self) -> asyncssh.SSHServerSession[bytes]:
        assert self.conn is not None
        return SeatTerminal(str(self.conn.get_extra_info("username")), self.attach)


class SeatTerminal(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    """One SSH session: a local pty running ``dflab class attach`` for the seat."""

    def __init__(self, seat: str, attach: Callable[[str, str], list[str]]) -> None:
        self.seat = seat
        self.attach = attach
        self.chan: Any = None
        self.size = (80, 24)
        self.term = "xterm-256color"
        self.command = ""
        self.master = -1
        self.proc: asyncio.subprocess.Process | None = None
        self.task: asyncio.Task[None] | None = None

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

    async def _run(self) -> None:
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
        code = await self.proc.wait()
        self._pump()
        self._close_master()
        with contextlib.suppress(Exception):
            self.chan.exit(code)

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
            self.chan.write(data)

    def data_received(self, data: bytes, datatype: Any) -> None:
        if self.master < 0:
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
        keepalive_interval=30, login_timeout=60)


def attach_argv(home: Path, class_name: str) -> Callable[[str, str], list[str]]:
    """The command the gateway runs on a seat's pty."""

    def argv(seat: str, scenario: str) -> list[str]:
        extra = [scenario] if scenario else []
        return [sys.executable, "-m", "runner.cli", "--home", str(home), "class", "attach",
                class_name, seat, *extra]

    return argv
