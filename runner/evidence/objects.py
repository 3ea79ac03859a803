"""Write reassembled objects to a folder under names that are safe on any file system."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from runner.errors import InputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 100


def object_name(uri: str) -> str:
    """A file name from a request URI: its last path segment, cleaned of anything risky.

    Path separators, ``..``, control characters and leading dots are removed, so an
    object name from hostile traffic can never escape the export folder or hide.
    """
    path = urlsplit(uri).path if "://" in uri else uri.split("?", 1)[0]
    base = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    safe = _UNSAFE.sub("_", base).strip("._")[:_MAX_NAME]
    return safe or "index"


class ObjectWriter:
    """Writes objects into one folder, never overwriting: a repeated name gets ``(n)``."""

    def __init__(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create export folder: {exc}", where=str(folder)) from exc
        self.folder = folder
        self.used: set[str] = set()

    def write(self, name: str, body: bytes) -> str:
        """Write ``body``; return the file name actually used."""
        final = name
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        n = 0
        while final in self.used or (self.folder / final).exists():
            n += 1
            final = f"{stem}({n}).{ext}" if dot else f"{stem}({n})"
        self.used.add(final)
        try:
            (self.folder / final).write_bytes(body)
        except OSError as exc:
            raise InputError(f"cannot write object: {exc}", where=str(self.folder / final)) from exc
        return final
