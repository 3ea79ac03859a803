"""One owner for a lab's frozen state, across the processes that may freeze it.

Two things freeze a Docker lab: a trainer's pause (``dflab class pause``, any
terminal) and the copy-out of a submitted file (in ``class serve``), which
freezes the lab so a checked file cannot be swapped for a link mid-copy. Both
go through :func:`lab_frozen`, an exclusive lock on one file per lab: a pause
waits for a copy in flight to finish (the copy restores the state it found),
and a copy that finds the lab paused by the trainer leaves it paused. Without
the lock, the copy's thaw undid the trainer's pause while the store said
"paused".
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def lab_frozen(lock: Path) -> Iterator[None]:
    """Hold the lab's freeze lock (blocking) for the duration of the block."""
    lock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(lock, os.O_CREAT | os.O_RDWR | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


__all__ = ["lab_frozen"]
