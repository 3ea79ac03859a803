"""Facts of any evidence file: detect its kind by content, then run that kind's analyzers.

This is what ``dflab facts``, the facts cache and fact queries call; a capture goes
to the capture engine exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from runner.evidence.analyzers.base import RunOptions
from runner.evidence.analyzers.registry import get as get_analyzer
from runner.evidence.engine import FactSet, WarningLog
from runner.evidence.kinds.base import EvidenceKind
from runner.evidence.kinds.registry import detect, read_head
from runner.evidence.kinds.unpack import compression, unpacked
from runner.evidence.loop import Progress


def analyze_evidence(
    path: Path,
    names: Iterable[str] | None = None,
    *,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> FactSet:
    """Facts of one evidence file of any kind (a gzip/xz/bzip2 file is unpacked first).

    Raises:
        EvidenceError: no kind recognises the file, or it cannot be opened at all.
        InputError: an analyzer name is unknown or reads another kind.
    """
    chosen = None if names is None else list(names)
    for name in chosen or ():
        get_analyzer(name)  # an unknown name is reported before the file is read
    packed = compression(read_head(path))
    if packed is None:
        return detect(path).analyze(path, chosen, options=options, progress=progress)
    log = WarningLog()
    with unpacked(path, packed[0], packed[1], log.add) as inner:
        facts = detect(inner).analyze(inner, chosen, options=options, progress=progress)
    facts.warnings[:0] = log.messages
    facts.warning_count += log.count
    return facts


def kind_of(path: Path) -> EvidenceKind:
    """The kind of a file by content (of its content, when compressed)."""
    packed = compression(read_head(path))
    if packed is None:
        return detect(path)
    with unpacked(path, packed[0], packed[1], lambda _: None) as inner:
        return detect(inner)
