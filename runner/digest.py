"""The one SHA-256 of a file: evidence, captures and submitted files are hashed here.

Only regular files are read: a device (``/dev/zero``), FIFO, socket or folder named
as evidence would make a hash (or a capture read) block or never end, so
:func:`open_regular` refuses it before a byte is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from runner.errors import DflabError, InputError, show_path

_CHUNK = 1 << 20
# Non-blocking so a FIFO cannot hang the open; it is refused right after by fstat.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def open_regular(path: Path | str, *, what: str = "file", buffering: int = -1,
                 error: type[DflabError] = InputError) -> BinaryIO:
    """Open ``path`` for reading if, after following links, it is a regular file.

    Raises:
        ``error`` (InputError by default) naming ``what`` and the path: not found,
        a NUL byte or a link loop in the path, not a regular file, or unreadable.
    """
    shown = show_path(path)
    if "\0" in str(path):
        raise error(f"the {what} path contains a NUL byte", where=shown,
                    fix="name the file without control characters")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise error(f"cannot open {what}: not found", where=shown,
                    fix="check the path (and the 'file' entry of the scenario)") from None
    except OSError as exc:
        raise error(f"cannot open {what}: {exc.strerror or exc}", where=shown,
                    fix="name a readable regular file (links must not loop)") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else \
            "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise error(f"{what} must be a regular file, not {kind}", where=shown,
                    fix="point 'file' at a capture, image or text file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb", buffering=buffering)


def sha256_file(path: Path, *, what: str = "file",
                error: type[DflabError] = InputError) -> str:
    """Hex SHA-256 of a regular file, read in chunks (captures can be large).

    Raises:
        ``error`` (InputError by default) naming ``what`` and the path when the file
        is not a regular file or cannot be read.
    """
    digest = hashlib.sha256()
    with open_regular(path, what=what, error=error) as handle:
        try:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        except OSError as exc:
            raise error(f"cannot read {what}: {exc.strerror or exc}",
                        where=show_path(path)) from None
    return digest.hexdigest()


__all__ = ["open_regular", "sha256_file"]
