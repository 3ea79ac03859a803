"""A trainee's SSH session: a pty running ``dflab class attach``, and what the trainer did.

Bytes are copied between the SSH channel and the pty; a window change is set
on the pty, whose kernel sends SIGWINCH to the attach process. Beside it a
watcher shows one-line notices (:mod:`runner.classroom.notices`); while the
seat is paused what the trainee types is dropped; after a reset the seat is
attached again.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import signal
import struct
import termios
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import asyncssh

from runner.classroom.notices import RESET_DONE, SeatState, notice, seat_state
from runner.classroom.notices import line as notice_line
from runner.errors import DflabError

if TYPE_CHECKING:
    from runner.classroom.gateway import Seats

_CHUNK = 65536
WATCH_SECONDS = 1.0  # how often a seat's terminal looks at the seat's state
RESET_WAIT = 180.0  # how long a terminal waits for a reset to bring a fresh lab


def _set_size(fd: int, cols: int, rows: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows or 24, cols or 80, 0, 0))


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
