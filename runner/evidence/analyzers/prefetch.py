"""Windows prefetch with libscca (pyscca): executable, hash, run count and times, volumes,
files loaded. libscca decompresses Windows 10's MAM (LZXPRESS Huffman) files itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from runner.errors import EvidenceError
from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.timefmt import from_unix_ns

FILETIME_UNIX = 116_444_736_000_000_000  # 100 ns ticks from 1601-01-01 to 1970-01-01
MAX_RUN_TIMES = 8  # formats 26 and 30 keep eight, older ones one


@register
class PrefetchAnalyzer(KindAnalyzer):
    name = "prefetch"
    version = "1"
    description = "Windows prefetch: executable, run count, last run times, volumes, files"
    kinds = frozenset({"prefetch"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "info": (
            Field("executable", "str", "executable file name (NOTEPAD.EXE)"),
            Field("prefetch_hash", "str", "hash of the executable's path, 8 hex digits upper "
                  "case (as in the file name)"),
            Field("format_version", "int", "17 (XP), 23 (Vista/7), 26 (8.1), 30 (10)"),
            Field("run_count", "int", "times the executable ran"),
            Field("last_run", "str", "latest run time, UTC ISO 8601 with nanoseconds"),
            Field("volumes", "int", "volumes referenced"),
            Field("files", "int", "file names referenced"),
        ),
        "runs": (
            Field("executable", "str", "executable file name"),
            Field("index", "int", "0 is the latest run"),
            Field("time", "str", "run time, UTC ISO 8601 with nanoseconds"),
        ),
        "volumes": (
            Field("device_path", "str", "NT device path (\\VOLUME{...})"),
            Field("serial", "str", "volume serial number, 8 hex digits upper case"),
            Field("created", "str", "volume creation time, UTC ISO 8601"),
        ),
        "files": (
            Field("index", "int", "order in the file name list (load order)"),
            Field("path", "str", "file name as recorded, with its volume device path"),
        ),
    }

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        path: Path = source
        import pyscca

        scca: Any = pyscca.file()
        try:
            scca.open(str(path))
        except Exception as exc:
            raise EvidenceError(f"libscca cannot read the prefetch file ({_cause(exc)}); it "
                                "is cut short or damaged", where=str(path)) from None
        try:
            self._read(scca, path)
        finally:
            scca.close()

    def _read(self, scca: Any, path: Path) -> None:
        exe = str(scca.executable_filename or "")
        runs = [t for t in (_run_time(scca, i) for i in range(MAX_RUN_TIMES)) if t]
        for i, when in enumerate(runs):
            self.rows["runs"].append({"executable": exe, "index": i, "time": when})
        for i in range(scca.number_of_volumes):
            vol = scca.get_volume_information(i)
            self.rows["volumes"].append({
                "device_path": str(vol.device_path or ""),
                "serial": f"{vol.serial_number:08X}",
                "created": _filetime(vol.get_creation_time_as_integer()),
            })
        for i in range(scca.number_of_filenames):
            try:
                name = str(scca.get_filename(i) or "")
            except Exception as exc:  # a damaged string: note it, keep the others
                self.note(f"file name {i}: {exc}", where=str(path))
                continue
            self.rows["files"].append({"index": i, "path": name})
        self.rows["info"].append({
            "executable": exe, "prefetch_hash": f"{scca.prefetch_hash:08X}",
            "format_version": int(scca.format_version), "run_count": int(scca.run_count),
            "last_run": runs[0] if runs else "", "volumes": int(scca.number_of_volumes),
            "files": int(scca.number_of_filenames),
        })

    def finish(self) -> Tables:
        return dict(self.rows)


def _run_time(scca: Any, index: int) -> str:
    try:
        return _filetime(scca.get_last_run_time_as_integer(index))
    except Exception:  # fewer run times in this format version
        return ""


def _filetime(ticks: int) -> str:
    """A FILETIME (100 ns ticks since 1601) as UTC ISO 8601; '' for 0 (never)."""
    if not ticks:
        return ""
    return from_unix_ns((ticks - FILETIME_UNIX) * 100)


def _cause(exc: Exception) -> str:
    """The innermost reason in libscca's chained message (the second sentence)."""
    parts = [p for p in str(exc).split(". ") if p]
    return parts[1] if len(parts) > 1 else str(exc)
