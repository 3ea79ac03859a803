"""Builders for evidence tests: tiny captures written from frames built in code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from runner.evidence import craft
from runner.evidence.engine import FactSet, analyze

T0 = 1_600_000_000_000_000_000
WriteCapture = Callable[..., Path]
Analyze = Callable[..., FactSet]


@pytest.fixture
def write_capture(tmp_path: Path) -> WriteCapture:
    """Write frames as a pcap (1 ms apart) and return its path."""
    counter = iter(range(10_000))

    def write(frames: Sequence[bytes], *, linktype: int = craft.LINKTYPE_ETHERNET) -> Path:
        path = tmp_path / f"capture{next(counter)}.pcap"
        records = [(T0 + i * 1_000_000, frame) for i, frame in enumerate(frames)]
        path.write_bytes(craft.write_pcap(records, linktype=linktype))
        return path

    return write


@pytest.fixture
def run(write_capture: WriteCapture) -> Analyze:
    """Analyse frames with the named analyzers (all when none are named)."""

    def go(
        frames: Sequence[bytes], *names: str, linktype: int = craft.LINKTYPE_ETHERNET
    ) -> FactSet:
        return analyze(write_capture(frames, linktype=linktype), list(names) or None)

    return go
