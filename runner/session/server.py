"""Serving a :class:`SessionService` on a Unix socket, on a small asyncio loop of its own.

The socket is the only door a trainee has to the host, so everything behind it
is bounded: one loop thread and :data:`WORKERS` judging threads per session,
at most :data:`MAX_SEAT_CONNECTIONS` connections served at once per socket and
:data:`MAX_SERVER_CONNECTIONS` across the process, a short deadline to send a
request, and a rate limit on what one seat can make the host log. A lab that
floods its socket only fills its own queue; another seat's loop, workers and
connection slots are its own. A short queue (:data:`MAX_SEAT_WAITING`,
:data:`QUEUE_WAIT`) absorbs bursts; beyond it a connection is told the service
is busy. Hostile bytes (deep JSON, lone surrogates, a client that hangs up
early) are answered as bad requests, never tracebacks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runner.errors import BackendError, ExitCode
from runner.home import MAX_SOCKET_PATH, secure_socket, socket_dir
from runner.session.protocol import MAX_REQUEST_BYTES
from runner.session.service import SessionService

MAX_SEAT_CONNECTIONS = 16
MAX_SERVER_CONNECTIONS = 512
MAX_SEAT_WAITING = 64
QUEUE_WAIT = 2.0
WORKERS = 2
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
LOG_PER_MINUTE = 10


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class _Slots:
    """A process-wide count of open lab connections (every seat's server shares it)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.used >= self.limit:
                return False
            self.used += 1
            return True

    def give(self) -> None:
        with self._lock:
            self.used -= 1


SERVER_SLOTS = _Slots(MAX_SERVER_CONNECTIONS)


class LogLimiter:
    """At most ``per_minute`` lines a minute from one seat; the rest are counted and
    summed up in one line when the next minute opens."""

    def __init__(self, log: Callable[[str], None], prefix: str, per_minute: int = LOG_PER_MINUTE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.log, self.prefix, self.per_minute, self.clock = log, prefix, per_minute, clock
        self.window = clock()
        self.sent = 0
        self.dropped = 0
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            now = self.clock()
            if now - self.window >= 60:
                if self.dropped:
                    self.log(f"{self.prefix}: {self.dropped} more message(s) suppressed")
                self.window, self.sent, self.dropped = now, 0, 0
            if self.sent >= self.per_minute:
                self.dropped += 1
                return
            self.sent += 1
            self.log(f"{self.prefix}: {line}")


def bad_request(message: str, fix: str) -> dict[str, Any]:
    return {"ok": False, "code": int(ExitCode.INVALID_INPUT), "error": f"{message} (fix: {fix})"}


BUSY = {"ok": False, "code": int(ExitCode.REFUSED),
        "error": "the lab service is busy with this lab's other requests (fix: wait a moment "
                 "and try again; close other 'lab' commands)"}


def parse_request(raw: bytes) -> tuple[Any, dict[str, Any] | None]:
    """The request in ``raw``, or a bad-request reply. Never raises."""
    if len(raw) > MAX_REQUEST_BYTES:
        return None, bad_request("request too large", "shorten the answer")
    try:
        request = json.loads(raw.decode("utf-8"))
        # A lone surrogate decodes from \\ud800 but cannot be stored or echoed: refuse it.
        json.dumps(request, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError):
        return None, bad_request("the request is not UTF-8 JSON", "update the lab client")
    except RecursionError:
        return None, bad_request("the request is nested too deeply", "update the lab client")
    return request, None


class ServiceThread:
    """Runs the service until :meth:`close`. The socket and its folder belong to the
    lab's user (``lab_uid``; None for a lab running as the host user), so no other
    user of the host or of another lab can connect (see :func:`runner.home.socket_dir`)."""

    def __init__(self, service: SessionService, socket_path: Path,
                 lab_uid: int | None = None, *,
                 log: Callable[[str], None] = _stderr,
                 max_connections: int = MAX_SEAT_CONNECTIONS,
                 read_timeout: float = READ_TIMEOUT) -> None:
        if len(str(socket_path)) > MAX_SOCKET_PATH:
            raise BackendError(f"socket path too long: {socket_path}",
                               fix="set DFLAB_HOME to a shorter folder")
        socket_dir(socket_path.parent, lab_uid)
        _remove_stale(socket_path)
        self.path = socket_path
        self.service = service
        self.max_connections = max_connections
        self.read_timeout = read_timeout
        self.log = LogLimiter(log, f"session {service.session_id}")
        self.open_connections = 0
        self.waiting = 0
        self.refused = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._pool = concurrent.futures.ThreadPoolExecutor(
            WORKERS, thread_name_prefix=f"dflab-judge-{service.session_id}")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(socket_path))
        secure_socket(socket_path, lab_uid)
        self._sock.listen(64)
        self._sock.setblocking(False)
        self._loop = asyncio.new_event_loop()
        # Accept failures (out of descriptors under a flood) go to the limited log too.
        self._loop.set_exception_handler(
            lambda _loop, ctx: self.log(str(ctx.get("exception") or ctx.get("message"))))
        self._stop: asyncio.Event | None = None
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True,
                                       name=f"dflab-service-{service.session_id}")
        self.thread.start()
        ready.wait(5)

    def _run(self, ready: threading.Event) -> None:
        try:
            self._loop.run_until_complete(self._main(ready))
        finally:
            self._loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_unix_server(self._client, sock=self._sock,
                                                 limit=MAX_REQUEST_BYTES + 1)
        ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if not await self._take_slot():
                self.refused += 1
                await self._reply(writer, BUSY)
                return
            try:
                await self._serve_one(reader, writer)
            finally:
                self.open_connections -= 1
                SERVER_SLOTS.give()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)

    async def _take_slot(self) -> bool:
        """A connection slot of this seat (and of the process), waiting a moment in a short
        queue so a burst of honest 'lab' commands is served rather than refused."""
        deadline = time.monotonic() + QUEUE_WAIT
        if self.waiting >= MAX_SEAT_WAITING:
            return False
        self.waiting += 1
        try:
            while True:
                if self.open_connections < self.max_connections and SERVER_SLOTS.take():
                    self.open_connections += 1
                    return True
                if time.monotonic() >= deadline:
                    return False
                await asyncio.sleep(0.02)
        finally:
            self.waiting -= 1

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            raw = await asyncio.wait_for(_read_request(reader), self.read_timeout)
        except TimeoutError:
            await self._reply(writer, bad_request(
                f"no complete request within {self.read_timeout:g} s", "update the lab client"))
            return
        except OSError:
            return
        request, refusal = parse_request(raw)
        if refusal is not None:
            self.log(refusal["error"])
            await self._reply(writer, refusal)
            return
        reply = await asyncio.get_running_loop().run_in_executor(self._pool, self._handle,
                                                                 request)
        await self._reply(writer, reply)

    def _handle(self, request: Any) -> dict[str, Any]:
        try:
            return self.service.handle(request)
        except Exception as exc:  # a bug must not become a traceback on the trainer's screen
            self.log(f"internal error: {type(exc).__name__}: {str(exc)[:200]}")
            return {"ok": False, "code": int(ExitCode.INTERNAL),
                    "error": "internal error in the lab service (fix: tell the trainer)"}

    async def _reply(self, writer: asyncio.StreamWriter, reply: dict[str, Any]) -> None:
        try:
            writer.write((json.dumps(reply) + "\n").encode())
            await asyncio.wait_for(writer.drain(), WRITE_TIMEOUT)
        except (OSError, TimeoutError):
            pass  # the client left: nothing to tell it, nothing worth logging

    def close(self) -> None:
        if self.thread.is_alive() and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._sock.close()
        self.path.unlink(missing_ok=True)


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    """Bytes up to end of input or the first newline, at most one byte over the cap."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_REQUEST_BYTES:
        chunk = await reader.read(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            break
    return b"".join(chunks)


def _remove_stale(path: Path) -> None:
    """Remove a socket left by a killed runner, but never steal a live one."""
    if not path.exists():
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(0.5)
        probe.connect(str(path))
    except OSError:
        path.unlink(missing_ok=True)
        return
    finally:
        probe.close()
    raise BackendError(f"another dflab process is already serving this session ({path})",
                       fix="close the other terminal running this lab, or use it")
