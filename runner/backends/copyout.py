"""The one copy-out policy: what may leave a lab (or an answers folder) as a submitted file.

A trainee controls everything inside the lab, so a "submitted file" may be a
link to a secret, a device, a FIFO that blocks the reader, a hard link, or a
file bigger than the host should keep. Every route out (the Docker backend's
checks in :mod:`runner.backends.fetchguard`, the local backend and answer
sheets through :func:`copy_host_file`) refuses the same things with the same
words, raised by :func:`refuse`::

    /work/pw: refused: it is a symbolic link, or its path goes through one
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import IO, BinaryIO

from runner.errors import RefusedError

FIX = "copy the file itself into the work folder and submit the copy"

# The reasons, worded once.
DOTDOT = "'..' is not allowed in a submitted path"
MISSING = "no such file"
LINK = "it is a symbolic link, or its path goes through one"
GREW = "the file grew past the size limit while it was copied"


def refuse(path: str, why: str, fix: str = FIX) -> RefusedError:
    """The one error every copy-out check raises."""
    return RefusedError(f"{path}: refused: {why}", fix=fix)


def outside(path: str, root: str) -> RefusedError:
    return refuse(path, f"only files under {root} can be submitted", f"copy the file into {root}")


def not_regular(path: str, kind: str) -> RefusedError:
    return refuse(path, f"it is {kind}, not a regular file")


def hard_link(path: str, links: int) -> RefusedError:
    return refuse(path, f"it is a hard link ({links} names for one file)")


def missing(path: str) -> RefusedError:
    return refuse(path, MISSING, "check the path with 'ls -l'")


def check_size(path: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise refuse(path, f"{size:,} bytes is over the {max_bytes:,}-byte limit",
                     "submit a smaller file (ask the trainer to raise artifact_mb)")


def write_capped(source: IO[bytes] | BinaryIO, dest_dir: Path, name: str, max_bytes: int,
                 path: str) -> Path:
    """Copy ``source`` to ``dest_dir/name``, stopping past ``max_bytes``; the file appears
    under its name only once complete (a temporary name until then)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".copy-", dir=dest_dir)
    try:
        total = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(1 << 20):
                total += len(chunk)
                if total > max_bytes:
                    raise refuse(path, GREW)
                out.write(chunk)
        final = dest_dir / (name or "artifact")
        Path(tmp).replace(final)
        return final
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_host_file(root: Path, target: str, dest_dir: Path, max_bytes: int, shown: str,
                   root_shown: str | None = None) -> Path:
    """Copy one regular file from inside the host folder ``root`` to ``dest_dir``.

    ``shown`` is the path as the trainee typed it, ``root_shown`` how they know the
    root (``/work``); every refusal names those, never host paths they did not type.
    """
    where = root_shown or str(root)
    if ".." in Path(shown).parts:
        raise refuse(shown, DOTDOT, f"give the path inside {where}")
    path = Path(os.path.normpath(target))
    if path != root and root not in path.parents:
        raise outside(shown, where)
    probe = root
    for part in path.relative_to(root).parts:
        probe = probe / part
        try:
            mode = os.lstat(probe).st_mode
        except FileNotFoundError:
            raise missing(shown) from None
        if stat.S_ISLNK(mode):
            raise refuse(shown, LINK)
    # O_NONBLOCK: a FIFO put in place of the file must not hang the host.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise refuse(shown, f"it cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(shown, _kind(info.st_mode))
        if info.st_nlink > 1:
            raise hard_link(shown, info.st_nlink)
        check_size(shown, info.st_size, max_bytes)
        with os.fdopen(os.dup(fd), "rb") as source:
            return write_capped(source, dest_dir, path.name, max_bytes, shown)
    finally:
        os.close(fd)


# What a file that is not a regular one is called, by `stat -c %F` name (a lab's probe).
KINDS = {"directory": "a folder", "fifo": "a named pipe (FIFO)", "socket": "a socket",
         "character special file": "a character device", "block special file": "a block device"}


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "fifo"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character special file"),
                       (stat.S_ISBLK, "block special file")):
        if test(mode):
            return KINDS[name]
    return "a special file"


__all__ = ["check_size", "copy_host_file", "refuse", "write_capped"]
