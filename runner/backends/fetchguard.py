"""How the Docker backend applies the copy-out policy (:mod:`runner.backends.copyout`).

The policy and its wording live in ``copyout``; this module reads what a Docker
lab can tell: a probe inside the lab, the engine's own stat of every path
component while the lab is frozen, and the tar stream itself (one regular
member, size capped while reading).
"""

from __future__ import annotations

import base64
import json
import posixpath
import tarfile
from pathlib import Path
from typing import IO

from runner.backends import copyout
from runner.backends.base import LAB_WORK_DIR
from runner.backends.copyout import check_size, refuse

# Go's os.FileMode type bits, as the engine reports them in the path stat header.
_GO_DIR = 1 << 31
_GO_LINK = 1 << 27
_GO_TYPE_BITS = {
    1 << 26: "a device",
    1 << 25: copyout.KINDS["fifo"],
    1 << 24: copyout.KINDS["socket"],
    1 << 21: copyout.KINDS["character special file"],
    1 << 19: "a special file",
    _GO_DIR: copyout.KINDS["directory"],
}
_TAR_SLACK = 64 * 1024  # headers and padding around one member

PROBE_SCRIPT = 'stat -c "%h|%F|%s" -- "$1" && realpath -e -- "$1"'


def normalise(lab_path: str) -> str:
    """The absolute, normalised path under /work that ``lab_path`` names.

    Relative paths are taken from /work. Any ``..`` component is refused
    outright rather than resolved, as is anything that lands outside /work.
    """
    raw = lab_path.strip()
    if not raw or "\x00" in raw:
        raise refuse(repr(lab_path), "not a usable path")
    if ".." in raw.split("/"):
        raise refuse(raw, copyout.DOTDOT, f"give the path inside {LAB_WORK_DIR}")
    joined = raw if raw.startswith("/") else posixpath.join(LAB_WORK_DIR, raw)
    path = posixpath.normpath(joined)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    if not path.startswith(LAB_WORK_DIR + "/"):
        raise copyout.outside(path, LAB_WORK_DIR)
    return path


def probe_argv(path: str) -> list[str]:
    """The command run in the lab: link count, type and size, then the real path."""
    return ["/bin/sh", "-c", PROBE_SCRIPT, "sh", path]


def check_probe(path: str, code: int, output: str, max_bytes: int) -> None:
    """Judge the in-lab probe's answer (see :data:`PROBE_SCRIPT`)."""
    lines = output.strip().splitlines()
    if code != 0 or len(lines) < 2 or lines[0].count("|") != 2:
        raise copyout.missing(path)
    links, kind, size = lines[0].split("|")
    if kind == "symbolic link":
        raise refuse(path, copyout.LINK)
    if kind not in ("regular file", "regular empty file"):
        raise copyout.not_regular(path, copyout.KINDS.get(kind, f"a {kind}"))
    if int(links) > 1:
        raise copyout.hard_link(path, int(links))
    check_size(path, int(size), max_bytes)
    if lines[1] != path:
        raise refuse(path, copyout.LINK)


def components(path: str) -> list[str]:
    """``/work/a/b`` -> ``["/work/a", "/work/a/b"]``: each step below /work."""
    parts = path[len(LAB_WORK_DIR) + 1 :].split("/")
    return [posixpath.join(LAB_WORK_DIR, *parts[: i + 1]) for i in range(len(parts))]


def check_stat(path: str, step: str, header: str, max_bytes: int) -> None:
    """Judge the engine's stat of one component: folders on the way, a file at the end."""
    try:
        stat = json.loads(base64.b64decode(header))
        mode = int(stat["mode"])
    except (ValueError, KeyError, TypeError):
        raise refuse(path, f"the engine gave no usable stat for {step}") from None
    if mode & _GO_LINK:
        raise refuse(path, copyout.LINK)
    if step != path:
        if mode & ~0o7777 != _GO_DIR:
            raise refuse(path, f"{step} is not a folder")
        return
    for bit, what in _GO_TYPE_BITS.items():
        if mode & bit:
            raise copyout.not_regular(path, what)
    check_size(path, int(stat.get("size", 0)), max_bytes)


class _Capped:
    """A read-only stream that refuses once more than ``limit`` bytes went through."""

    def __init__(self, raw: IO[bytes], path: str, limit: int) -> None:
        self._raw, self._path, self._limit, self.seen = raw, path, limit, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size if size and size > 0 else 65536)
        self.seen += len(chunk)
        if self.seen > self._limit:
            raise refuse(self._path, copyout.GREW)
        return chunk


def extract_one(stream: IO[bytes], path: str, dest_dir: Path, max_bytes: int) -> Path:
    """Write the single regular file of a tar stream to ``dest_dir``; refuse anything else.

    Reading stops as soon as the stream passes the cap; the destination is
    written under a temporary name and renamed only once complete.
    """
    capped = _Capped(stream, path, max_bytes + _TAR_SLACK)
    name = posixpath.basename(path)
    try:
        with tarfile.open(fileobj=capped, mode="r|") as archive:  # type: ignore[call-overload]
            member = archive.next()
            if member is None:
                raise refuse(path, "the lab sent an empty archive")
            if not member.isreg() or member.islnk():
                raise copyout.not_regular(path, "a link, device or FIFO")
            if member.name.rsplit("/", 1)[-1] != name:
                raise refuse(path, f"the lab sent {member.name!r} instead")
            check_size(path, member.size, max_bytes)
            source = archive.extractfile(member)
            if source is None:
                raise refuse(path, "the lab sent no file data")
            return copyout.write_capped(source, dest_dir, name, max_bytes, path)
    except tarfile.TarError as exc:
        raise refuse(path, f"the lab sent a damaged archive ({exc})") from None
