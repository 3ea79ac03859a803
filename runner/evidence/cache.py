"""Facts cached per capture, keyed by the capture's SHA-256 (content, not name or path).

The same evidence analysed by the same dflab and analyzer versions always yields the
same facts, so a session starting twice, or twenty trainees sharing one capture,
pay for one pass. A cache entry made by another version is ignored and rewritten.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from runner import __version__, digest
from runner.errors import CaptureError
from runner.evidence.analyzers.registry import all_analyzers
from runner.evidence.engine import FactSet
from runner.evidence.kinds.registry import all_kinds


def sha256_file(path: Path) -> str:
    """SHA-256 of a capture (see :func:`runner.digest.sha256_file`).

    Raises:
        CaptureError: the file cannot be read.
    """
    return digest.sha256_file(path, what="capture", error=CaptureError)


def _stamp() -> dict[str, Any]:
    return {
        "dflab_version": __version__,
        "analyzers": {name: cls.version for name, cls in all_analyzers().items()},
        "kinds": {name: kind.version for name, kind in all_kinds().items()},
    }


def load_facts(capture: Path, *, cache_dir: Path | None = None,
               tables: Iterable[str] = ()) -> tuple[FactSet, str]:
    """Facts of every analyzer for an evidence file of any kind (a capture, a disk
    image...), from the cache or from a fresh pass.

    ``cache_dir`` is the dflab home's cache (``Home.cache``); without one the facts
    are computed and not kept, so nothing is ever written outside the home in use.
    ``tables`` (``analyzer.table`` names) may name tables of on-demand analyzers: those
    run in a pass of their own, cached in an entry of their own, and are added.

    Returns:
        The facts and the capture's SHA-256.

    Raises:
        CaptureError: the capture cannot be read.
    """
    sha256 = sha256_file(capture)
    folder = cache_dir / "facts" if cache_dir is not None else None
    facts = _cached(capture, folder, f"{sha256}.json", sha256, None)
    registered = all_analyzers()
    wanted = {t.split(".", 1)[0] for t in tables}
    for name in sorted(n for n in wanted if n in registered and registered[n].on_demand):
        extra = _cached(capture, folder, f"{sha256}.{name}.json", sha256, [name])
        facts.tables.update(extra.tables)
        facts.analyzers.update(extra.analyzers)
    return facts, sha256


def _cached(capture: Path, folder: Path | None, name: str, sha256: str,
            names: list[str] | None) -> FactSet:
    """One pass's facts from ``folder/name``, or computed (and kept when there is a folder)."""
    from runner.evidence.kinds.dispatch import analyze_evidence as analyze

    if folder is None:
        return analyze(capture, names)
    entry = folder / name
    stamp = _stamp()
    cached = _read(entry)
    if cached is not None and cached.get("stamp") == stamp:
        return FactSet.from_json(cached["facts"])
    facts = analyze(capture, names)
    _write(entry, {"stamp": stamp, "sha256": sha256, "facts": facts.to_json(compact=True)})
    return facts


def _read(entry: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or damaged cache entry: recompute
    return data if isinstance(data, dict) else None


def _write(entry: Path, data: dict[str, Any]) -> None:
    """Write atomically, so a concurrent reader never sees half a file; failures are harmless."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".facts-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"))
        Path(tmp).replace(entry)
    except OSError:
        return  # a read-only cache only costs speed
