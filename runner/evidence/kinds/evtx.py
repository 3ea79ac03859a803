"""Windows event logs (EVTX, Vista and later)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register


@register
class EvtxKind(EvidenceKind):
    name = "evtx"
    description = "Windows event log (EVTX): events by id, logons"
    priority = 20

    def probe(self, head: Head) -> bool:
        return head.at(0, b"ElfFile\x00")

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        yield Path(path)
