"""Serving a :class:`SessionService` on a Unix socket, in a background thread."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from pathlib import Path
from typing import Any

from runner.errors import BackendError
from runner.home import MAX_SOCKET_PATH, secure_socket, socket_dir
from runner.session.protocol import MAX_REQUEST_BYTES
from runner.session.service import SessionService


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def handle(self) -> None:
        service: SessionService = self.server.service  # type: ignore[attr-defined]
        raw = self.rfile.read(MAX_REQUEST_BYTES + 1)
        if len(raw) > MAX_REQUEST_BYTES:
            reply: dict[str, Any] = {"ok": False, "code": 3,
                                     "error": "request too large (fix: shorten the answer)"}
        else:
            try:
                request = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                request = None
            reply = service.handle(request)
        self.wfile.write((json.dumps(reply) + "\n").encode())


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


class ServiceThread:
    """Runs the service until :meth:`close`. The socket and its folder belong to the
    lab's user (``lab_uid``; None for a lab running as the host user), so no other
    user of the host or of another lab can connect (see :func:`runner.home.socket_dir`)."""

    def __init__(self, service: SessionService, socket_path: Path,
                 lab_uid: int | None = None) -> None:
        if len(str(socket_path)) > MAX_SOCKET_PATH:
            raise BackendError(f"socket path too long: {socket_path}",
                               fix="set DFLAB_HOME to a shorter folder")
        socket_dir(socket_path.parent, lab_uid)
        _remove_stale(socket_path)
        self.path = socket_path
        self.server = _Server(str(socket_path), _Handler)
        self.server.service = service  # type: ignore[attr-defined]
        secure_socket(socket_path, lab_uid)
        # A short poll keeps 'close' quick: leaving a lab should not wait half a second.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True,
                                       name=f"dflab-service-{service.session_id}")
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.path.unlink(missing_ok=True)


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
