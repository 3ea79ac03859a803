"""Join the user's terminal to a remote pseudo-terminal over a socket.

The local terminal goes into raw mode so every key (Ctrl-C, Ctrl-D, arrows,
Tab) reaches the lab's shell untouched, window-size changes (SIGWINCH) are
forwarded, and the terminal is always restored, even on errors.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import selectors
import signal
import socket
import struct
import sys
import termios
import tty
from collections.abc import Callable, Iterator

Resize = Callable[[int, int], object]
_CHUNK = 65536


def window_size(fd: int) -> tuple[int, int]:
    """Rows and columns of the terminal on ``fd`` (24x80 when it is not a terminal)."""
    try:
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    except OSError:
        return 24, 80
    return (rows or 24), (cols or 80)


@contextlib.contextmanager
def raw_terminal(fd: int) -> Iterator[None]:
    """Raw mode on ``fd`` if it is a terminal; restored on the way out."""
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextlib.contextmanager
def winch_pipe() -> Iterator[int]:
    """A pipe that becomes readable whenever the window size changes."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)

    def on_winch(_signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):
            os.write(write_fd, b"w")

    previous = signal.signal(signal.SIGWINCH, on_winch)
    try:
        yield read_fd
    finally:
        signal.signal(signal.SIGWINCH, previous)
        os.close(read_fd)
        os.close(write_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            selectors.DefaultSelector().select(0.05)
            continue
        view = view[written:]


def forward(
    sock: socket.socket,
    pending: bytes,
    on_resize: Resize,
    stdin_fd: int | None = None,
    stdout_fd: int | None = None,
) -> None:
    """Shuttle bytes between the terminal and ``sock`` until the remote side closes.

    Args:
        sock: the attached socket of a TTY exec (raw byte stream both ways).
        pending: output already read from the socket before the loop starts.
        on_resize: called with (rows, cols) at start and on every SIGWINCH.
        stdin_fd: input descriptor (default: standard input).
        stdout_fd: output descriptor (default: standard output).
    """
    in_fd = sys.stdin.fileno() if stdin_fd is None else stdin_fd
    out_fd = sys.stdout.fileno() if stdout_fd is None else stdout_fd
    sock.settimeout(None)
    if pending:
        _write_all(out_fd, pending)
    with raw_terminal(in_fd), winch_pipe() as winch, selectors.DefaultSelector() as sel:
        on_resize(*window_size(out_fd if os.isatty(out_fd) else in_fd))
        sel.register(sock, selectors.EVENT_READ, "remote")
        sel.register(in_fd, selectors.EVENT_READ, "local")
        sel.register(winch, selectors.EVENT_READ, "winch")
        while True:
            for key, _ in sel.select():
                if key.data == "remote":
                    data = sock.recv(_CHUNK)
                    if not data:
                        return
                    _write_all(out_fd, data)
                elif key.data == "local":
                    data = os.read(in_fd, _CHUNK)
                    if data:
                        sock.sendall(data)
                    else:  # end of input: tell the shell, keep reading its output
                        sel.unregister(in_fd)
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_WR)
                else:
                    os.read(winch, _CHUNK)
                    on_resize(*window_size(out_fd if os.isatty(out_fd) else in_fd))
