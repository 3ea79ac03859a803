"""Network captures (pcap, pcapng): the single-pass capture engine, unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from runner.evidence.analyzers.base import RunOptions
from runner.evidence.engine import FactSet, analyze
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register
from runner.evidence.loop import Progress
from runner.evidence.pcapng import PCAPNG_MAGIC
from runner.evidence.reader import _PCAP_MAGICS


@register
class CaptureKind(EvidenceKind):
    name = "capture"
    description = "network capture: pcap (any byte order, micro/nanoseconds) or pcapng"
    priority = 10

    def probe(self, head: Head) -> bool:
        return head.data[:4] in _PCAP_MAGICS or head.at(0, PCAPNG_MAGIC)

    def open(self, path: Path, warn: Callable[[str], None]) -> AbstractContextManager[Any]:
        raise NotImplementedError("captures are streamed by the engine, not opened")

    def analyze(
        self,
        path: Path,
        names: Iterable[str] | None = None,
        *,
        options: RunOptions | None = None,
        progress: Progress | None = None,
    ) -> FactSet:
        return analyze(path, names, options=options, progress=progress)
