"""Windows registry hives (SYSTEM, SOFTWARE, SAM, SECURITY, NTUSER.DAT, UsrClass.dat)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register


@register
class HiveKind(EvidenceKind):
    name = "hive"
    description = "Windows registry hive: keys and values by path, last-written times"
    priority = 20

    def probe(self, head: Head) -> bool:
        return head.at(0, b"regf")

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        yield Path(path)
