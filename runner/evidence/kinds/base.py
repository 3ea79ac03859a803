"""What an evidence kind is, and the analyzer base every non-capture kind uses.

A kind owns three things: a **probe** that recognises its files by content (magic
bytes, structure), never by name; an **opener** turning the file into the object its
analyzers read (a parsed mailbox, a disk image handle...); and the analyzers
(ordinary :class:`~runner.evidence.analyzers.base.Analyzer` subclasses in the one
analyzer registry, whose ``kinds`` name it). Facts come back as the same
:class:`~runner.evidence.engine.FactSet` of tables a capture gives, so fact queries,
provenance, the facts cache and ``dflab facts`` work on every kind unchanged.

Damage follows the capture rules: a file no kind can open at all raises
:class:`~runner.errors.EvidenceError` naming it; damage part way is a warning
(naming the file and the offset where it can) and the other facts are still made;
only a bug raises anything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Analyzer, KindAnalyzer, RunOptions, Tables
from runner.evidence.engine import FactSet, WarningLog, select_for
from runner.evidence.loop import Progress
from runner.evidence.table import Table

HEAD_BYTES = 64 * 1024  # what a probe sees: enough for MBR, GPT, boot sectors, superblocks


@dataclass(frozen=True)
class Head:
    """The first bytes of a file and its size: all a probe may look at."""

    data: bytes
    size: int

    def at(self, offset: int, magic: bytes) -> bool:
        """Whether ``magic`` sits at ``offset``."""
        return self.data[offset : offset + len(magic)] == magic


class EvidenceKind:
    """Base class: subclasses set ``name``/``description`` and override the hooks.

    ``priority`` orders the probes (lower first): a specific container (E01, pcap)
    must claim its file before a loose structure test (a boot sector) does.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    priority: ClassVar[int] = 50

    def probe(self, head: Head) -> bool:
        """Whether a file starting with ``head`` is of this kind (content only)."""
        raise NotImplementedError

    def open(self, path: Path, warn: Callable[[str], None]) -> AbstractContextManager[Any]:
        """The object this kind's analyzers read, as a context manager closing it.

        Raises:
            EvidenceError: the file cannot be opened as this kind at all.
        """
        raise NotImplementedError

    def analyze(
        self,
        path: Path,
        names: Iterable[str] | None = None,
        *,
        options: RunOptions | None = None,
        progress: Progress | None = None,
    ) -> FactSet:
        """Every (or the named) analyzer of this kind over one file.

        Raises:
            EvidenceError: the file cannot be opened as this kind.
            InputError: an analyzer name is unknown or of another kind.
        """
        classes = select_for(self.name, names)
        log = WarningLog()
        opts = options or RunOptions()
        tables: dict[str, Table] = {}
        with self.open(path, log.add) as source:
            for cls in classes:
                analyzer = cls(opts, log.add)
                assert isinstance(analyzer, KindAnalyzer), cls
                analyzer.run(source)
                tables.update(_named(cls.name, analyzer.finish(), analyzer))
        return FactSet(
            tables=tables,
            analyzers={cls.name: cls.version for cls in classes},
            packets=0,
            warnings=log.messages,
            warning_count=log.count,
            kind=self.name,
        )


def _named(name: str, tables: Tables, analyzer: Analyzer) -> dict[str, Table]:
    """``analyzer.table`` keys; a declared table the analyzer left out comes back empty."""
    out: dict[str, Table] = {}
    for short in analyzer.tables:
        rows = tables.get(short)
        if isinstance(rows, Table):
            out[f"{name}.{short}"] = rows
        else:
            out[f"{name}.{short}"] = Table.from_dicts(
                (f.name for f in analyzer.tables[short]), rows or []
            )
    return out
