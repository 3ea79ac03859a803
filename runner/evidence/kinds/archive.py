"""Tar archives (a phone's logical extraction, a collected folder): each member analysed
as the evidence kind its content is, the facts merged.

Logical extractions of phones (Cellebrite, Magnet, ``adb backup`` unpacked, our own
``phone-extraction``) are folders of app databases shipped as one tar. Examiners query
the databases inside, so dflab does too: every regular member is copied out to a
private temporary file (capped in size; links, devices and names are never followed or
used as paths) and handed to the kind that recognises it; rows of the same table from
several members are appended in archive order.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runner.errors import DflabError, EvidenceError
from runner.evidence.analyzers.base import RunOptions
from runner.evidence.analyzers.registry import get as get_analyzer
from runner.evidence.engine import FactSet
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import detect, register
from runner.evidence.kinds.unpack import MAX_UNPACKED
from runner.evidence.loop import Progress
from runner.evidence.table import Table

TAR_MAGIC = b"ustar"  # POSIX and GNU headers both carry it at offset 257
MAX_MEMBERS = 10_000


@register
class TarKind(EvidenceKind):
    name = "tar"
    description = "tar archive (a phone's logical extraction): each member by its own kind"
    priority = 30

    def probe(self, head: Head) -> bool:
        return head.size >= 512 and head.at(257, TAR_MAGIC)

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[Any]:
        try:  # opened apart from the reads, so only a header it cannot parse is this error
            archive = tarfile.open(path, "r:")  # noqa: SIM115 - closed in the finally below
        except (tarfile.TarError, OSError) as exc:
            raise EvidenceError(f"not a readable tar archive: {exc}", where=str(path),
                                fix="check the file (tar -tvf FILE)") from None
        try:
            yield archive
        finally:
            archive.close()

    def analyze(
        self,
        path: Path,
        names: Iterable[str] | None = None,
        *,
        options: RunOptions | None = None,
        progress: Progress | None = None,
    ) -> FactSet:
        """Facts of every member a kind recognises, merged (``names``: only those analyzers)."""
        chosen = None if names is None else [get_analyzer(n) for n in names]
        merged = FactSet(tables={}, analyzers={}, packets=0, warnings=[], warning_count=0,
                         kind=self.name)
        with tempfile.TemporaryDirectory(prefix="dflab-tar-") as tmp:
            for member, copy in _members(self, path, Path(tmp), merged):
                try:
                    kind = detect(copy)
                except DflabError:
                    continue  # not evidence (a settings XML, a cache file): nothing to read
                mine = None if chosen is None else [c.name for c in chosen if kind.name in c.kinds]
                if mine == []:
                    continue
                try:
                    facts = kind.analyze(copy, mine, options=options, progress=progress)
                except EvidenceError as exc:
                    _warn(merged, f"{path}: member {member}: {exc}")
                    continue
                _merge(merged, facts, f"{path}: member {member}")
        return merged


def _members(kind: TarKind, path: Path, tmp: Path,
             merged: FactSet) -> Iterator[tuple[str, Path]]:
    """Each regular member copied to its own temporary file, in archive order."""
    total = 0
    with kind.open(path, lambda m: _warn(merged, m)) as archive:
        try:
            for index, info in enumerate(archive):
                if index >= MAX_MEMBERS:
                    _warn(merged, f"{path}: more than {MAX_MEMBERS} members; the rest skipped")
                    return
                if not info.isreg():
                    continue
                total += info.size
                if total > MAX_UNPACKED:
                    raise EvidenceError(
                        f"tar members add up to more than {MAX_UNPACKED} bytes; refused",
                        where=str(path), fix="unpack it yourself and give the files one by one")
                copy = tmp / f"member-{index}"
                source = archive.extractfile(info)
                if source is None:
                    continue
                with source, copy.open("wb") as out:
                    shutil.copyfileobj(source, out)
                yield info.name, copy
                copy.unlink()
        except (tarfile.TarError, OSError, EOFError) as exc:
            _warn(merged, f"{path}: damaged tar after {total} member bytes: {exc}; "
                  "analysing the members before it")


def _merge(into: FactSet, facts: FactSet, where: str) -> None:
    for name, table in facts.tables.items():
        have = into.tables.get(name)
        if have is not None and have.fields != table.fields:  # another analyzer version
            have = into.tables[name] = Table.from_dicts(have.fields, [*have, *table])
            continue
        if have is None:
            into.tables[name] = Table(table.fields, table.rows)
        else:
            have.rows.extend(table.rows)
    into.analyzers.update(facts.analyzers)
    into.warnings.extend(f"{where}: {w}" for w in facts.warnings)
    into.warning_count += facts.warning_count


def _warn(facts: FactSet, message: str) -> None:
    facts.warnings.append(message)
    facts.warning_count += 1
