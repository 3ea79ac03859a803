"""The lab shell through a real pseudo-terminal: prompt, welcome, resize, Ctrl-C, exit code."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from typing import Any

import pytest

from runner.backends.docker import DockerBackend

pytestmark = pytest.mark.docker

DRIVER = """
import json, sys
from pathlib import Path
from runner.backends.base import LabHandle, LabSpec, Limits
from runner.backends.docker import DockerBackend
h, s = json.loads(sys.argv[1])
spec = LabSpec(**{**s, "limits": Limits(), "evidence": (), "service_dir": Path(s["service_dir"]),
                  "work_dir": Path(s["work_dir"])})
with DockerBackend() as backend:
    sys.exit(backend.shell(LabHandle(**h), spec))
"""


def read_until(fd: int, needle: bytes, timeout: float = 15) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    assert needle in seen, seen.decode(errors="replace")
    return seen


def set_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def test_shell_is_a_real_terminal(start_lab: Any, backend: DockerBackend) -> None:
    handle, spec = start_lab()
    args = json.dumps([{"backend": handle.backend, "session_id": handle.session_id,
                        "ref": handle.ref},
                       {k: str(v) if k in ("service_dir", "work_dir") else v
                        for k, v in vars(spec).items() if k not in ("limits", "evidence")}])
    master, slave = pty.openpty()
    set_size(slave, 30, 100)
    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, args], stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True, env=env)
    os.close(slave)
    try:
        banner = read_until(master, b"$ ")
        assert b"Test lab" in banner and b"lab tasks" in banner
        assert b"[lab:test-scenario]" in banner and b"/work" in banner
        os.write(master, b"stty size; id -un; pwd\r")
        read_until(master, b"30 100")
        set_size(master, 40, 120)
        proc.send_signal(signal.SIGWINCH)
        time.sleep(0.3)
        os.write(master, b"stty size\r")
        read_until(master, b"40 120")
        os.write(master, b"sleep 60\r")
        time.sleep(0.5)
        os.write(master, b"\x03")  # Ctrl-C reaches the lab, not the runner
        os.write(master, b"echo after-$((40+2))\r")
        read_until(master, b"after-42", timeout=5)
        os.write(master, b"exit 7\r")
        assert proc.wait(15) == 7
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
