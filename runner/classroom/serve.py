"""``dflab class serve``: every seat's session service, the time box, and the SSH gateway.

One process serves the whole class. Each seat's session is served on its own
socket by a :class:`SeatService`, so a lab can only answer as its seat. Every
couple of seconds the server reconciles with the store: it adopts labs
started or reset from another terminal (``DockerBackend.prepare`` adopts a
container by its labels), closes services of stopped labs, and stops labs
whose time is up. Killed with SIGKILL and started again, it adopts the same
containers, and every answer is still in the store (they are committed before
the trainee sees the verdict).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.classroom.controls import expire_seats
from runner.classroom.gateway import Seats, attach_argv, open_gateway
from runner.classroom.quota import EVERY_ROUNDS, QUOTA_KEY, WorkQuota
from runner.classroom.service import serve_seat
from runner.errors import DflabError, UsageError
from runner.home import Home
from runner.session.runtime import Running, existing_session, reopen_session
from runner.session.server import ServiceThread

CLASS_JUDGES = 2


@dataclass
class Served:
    running: Running
    thread: ServiceThread


class ClassServer:
    """The session services of one class, kept in step with the store."""

    def __init__(self, home: Path, name: str, *, rate_per_minute: int = 30, parallel: int = 8,
                 log: Callable[[str], None] = lambda _: None) -> None:
        self.home = home
        self.name = name
        self.rate = rate_per_minute
        self.parallel = parallel
        self.log = log
        self.served: dict[str, Served] = {}
        # One connection for every seat: writers queue on its lock, in order, instead of
        # sleeping in SQLite's busy handler (which made the slowest answers wait seconds).
        self.store = Home(home).store()
        self.failed: dict[str, str] = {}
        self._last_error = ""
        # Every seat's submissions share a few judges: a class of floods cannot fill memory.
        self.judges = threading.BoundedSemaphore(CLASS_JUDGES)
        self.quota = WorkQuota(log)
        self.rounds = 0
        with Home(home).classes() as classes:
            classes.get(name)  # fail early on an unknown class

    def wanted(self) -> dict[str, tuple[str, bool]]:
        """Session ids that should be served: seat and whether the seat is paused."""
        with Home(self.home).classes() as classes:
            if classes.get(self.name).frozen:
                return {}
            seats = {s.seat: s for s in classes.seats(self.name)}
            out = {}
            for lab in classes.labs(self.name):
                seat = seats[lab.seat]
                if not lab.session_id or seat.status not in ("running", "paused"):
                    continue
                if classes.store.session(lab.session_id).status == "active":
                    out[lab.session_id] = (lab.seat, seat.paused_at is not None)
            return out

    def reconcile(self) -> None:
        """Stop expired seats; serve new sessions; close services of finished ones."""
        try:
            self.store.check()  # the file answers are written to was replaced or truncated
            for seat in expire_seats(self.home, self.name):
                self.log(f"seat {seat}: time is up, lab stopped")
            wanted = self.wanted()
        except DflabError as exc:  # the engine or the store hiccuped: try again next round
            if exc.one_line() != self._last_error:  # once, not every round
                self._last_error = exc.one_line()
                self.log(exc.one_line())
            return
        self._last_error = ""
        for session_id in [s for s in self.served if s not in wanted]:
            self._drop(session_id)
        self.rounds += 1
        if self.rounds % EVERY_ROUNDS == 0:
            over = self.quota.check((s.running.row.seat or sid, s.running)
                                    for sid, s in self.served.items())
            self._record_quota(over)
        todo = [(sid, seat, paused) for sid, (seat, paused) in wanted.items()
                if sid not in self.served and sid not in self.failed]
        if not todo:
            return
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            list(pool.map(lambda job: self._adopt(*job), todo))

    def _record_quota(self, over: list[str]) -> None:
        """Keep the seats over their /work quota in the class, so the board can show them."""
        value = ",".join(over)
        with Home(self.home).classes() as classes:
            if classes.meta(self.name, QUOTA_KEY) != value:
                classes.set_meta(self.name, QUOTA_KEY, value)

    def _adopt(self, session_id: str, seat: str, paused: bool) -> None:
        running: Running | None = None
        try:
            # A paused container cannot be started; it is adopted as it is.
            running = (existing_session(self.home, session_id) if paused
                       else reopen_session(self.home, session_id))
            own, running.store = running.store, self.store
            own.close()
            thread = serve_seat(running, self.name, seat, self.rate, log=self.log,
                                judges=self.judges)
        except DflabError as exc:
            self.failed[session_id] = exc.one_line()
            self.log(f"seat {seat}: {exc.one_line()}")
            if running is not None and running.store is not self.store:
                running.close()
            return
        self.served[session_id] = Served(running, thread)

    def _drop(self, session_id: str) -> None:
        served = self.served.pop(session_id)
        served.thread.close()
        served.running.backend.close()  # the store is the server's, shared by every seat

    def retry_failed(self) -> None:
        self.failed.clear()

    def close(self) -> None:
        for session_id in list(self.served):
            self._drop(session_id)
        self.store.close()


def listen_error(exc: OSError, host: str, port: int) -> DflabError:
    """Why the gateway cannot listen, in one line with the fix."""
    if exc.errno == errno.EADDRINUSE:
        return UsageError(f"port {port} on {host} is already in use",
                          fix="stop what listens there (another 'dflab class serve'?) "
                              "or choose another port with --port N")
    if exc.errno == errno.EACCES:
        return UsageError(f"no permission to listen on port {port}",
                          fix="ports below 1024 need root: choose --port 2222")
    return UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                      fix="check --host (an address of this machine) and --port")


async def serve_class(home: Path, name: str, *, host: str, port: int, rate_per_minute: int,
                      every: float = 2.0, log: Callable[[str], None] = lambda _: None,
                      ready: Callable[[int], None] = lambda _: None) -> None:
    """Run the class server and the SSH gateway until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    server = ClassServer(home, name, rate_per_minute=rate_per_minute, log=log)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    seats = Seats(home, name, log)
    seats.classes.close_logins(name)  # a server killed earlier left its logins open
    acceptor = None
    try:
        await _unless_stopped(server.reconcile, stop)
        try:
            acceptor = await open_gateway(seats, attach_argv(home, name), host, port)
        except OSError as exc:
            raise listen_error(exc, host, port) from None
        bound = acceptor.sockets[0].getsockname()[1] if acceptor.sockets else port
        ready(int(bound))
        rounds = 0
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            rounds += 1
            if rounds % 15 == 0:
                server.retry_failed()
            await _unless_stopped(server.reconcile, stop)
    finally:
        if acceptor is not None:
            acceptor.close()
            await acceptor.wait_closed()
        await loop.run_in_executor(None, server.close)
        with contextlib.suppress(DflabError):
            seats.classes.close_logins(name)
        seats.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _unless_stopped(job: Callable[[], None], stop: asyncio.Event) -> None:
    """Run ``job`` in a daemon thread; return when it is done or when ``stop`` is set, so a
    slow engine or a locked database never holds SIGTERM up (the thread dies with us)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def run() -> None:
        error: BaseException | None = None
        try:
            job()
        except Exception as exc:  # reported through the future, or dropped after stop
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed: we were stopping anyway
            loop.call_soon_threadsafe(_settle, done, error)

    threading.Thread(target=run, daemon=True, name="dflab-reconcile").start()
    stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    both: list[asyncio.Future[Any]] = [done, stopping]
    try:
        await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if done.done():
        done.result()


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
