"""The one registry of evidence kinds, by name; registering a name twice is refused.

:func:`detect` picks a file's kind from its content (see :mod:`.base`), trying the
probes in priority order; the file name plays no part.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from runner.digest import open_regular
from runner.errors import EvidenceError, InputError
from runner.evidence.kinds.base import HEAD_BYTES, EvidenceKind, Head

K = TypeVar("K", bound=type[EvidenceKind])

_REGISTRY: dict[str, EvidenceKind] = {}


class DuplicateKindError(ValueError):
    """Two evidence kinds claimed the same name: a packaging bug, caught at import."""


def register(cls: K) -> K:
    """Class decorator adding an evidence kind (one instance) to the registry.

    Raises:
        DuplicateKindError: the name is empty or already taken.
    """
    if not cls.name:
        raise DuplicateKindError(f"{cls.__qualname__} has no name")
    if cls.name in _REGISTRY:
        raise DuplicateKindError(
            f"evidence kind {cls.name!r} is already registered by "
            f"{type(_REGISTRY[cls.name]).__module__}"
        )
    _REGISTRY[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    """Remove a kind (tests only)."""
    _REGISTRY.pop(name, None)


def all_kinds() -> dict[str, EvidenceKind]:
    """Every registered kind, in probe order (priority, then registration)."""
    _load_builtins()
    ordered = sorted(_REGISTRY.values(), key=lambda k: k.priority)
    return {k.name: k for k in ordered}


def get(name: str) -> EvidenceKind:
    """Look up a kind by name.

    Raises:
        InputError: no kind has that name.
    """
    kinds = all_kinds()
    if name not in kinds:
        raise InputError(f"unknown evidence kind {name!r}", fix=f"use one of: {', '.join(kinds)}")
    return kinds[name]


def read_head(path: Path) -> Head:
    """The first bytes and size of a file.

    Raises:
        EvidenceError: missing, unreadable, or not a regular file (a device or FIFO
            would never end; it is refused before a byte is read).
    """
    with open_regular(path, what="evidence", error=EvidenceError) as handle:
        try:
            data = handle.read(HEAD_BYTES)
            size = handle.seek(0, 2)
        except OSError as exc:
            raise EvidenceError(f"cannot read evidence: {exc.strerror or exc}",
                                where=str(path)) from None
    return Head(data, size)


def detect(path: Path) -> EvidenceKind:
    """The kind of a file, from its content.

    Raises:
        EvidenceError: unreadable, or no kind recognises it (the message lists the kinds).
    """
    head = read_head(path)
    for kind in all_kinds().values():
        if kind.probe(head):
            return kind
    if not head.data:
        raise EvidenceError("the file is empty: not evidence of any kind dflab reads",
                            where=str(path))
    raise EvidenceError(
        "not a pcap or pcapng file, nor any other evidence kind dflab recognises by "
        f"content ({', '.join(all_kinds())}); first bytes: {head.data[:8].hex(' ')}",
        where=str(path),
        fix="check the file (`file FILE`); docs/facts.md lists the kinds and their magic",
    )


def _load_builtins() -> None:
    import runner.evidence.kinds  # noqa: F401 - importing registers the built-ins
