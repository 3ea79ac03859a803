"""Windows registry hives with regipy: every key and value by path, last-written times."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

from runner.errors import EvidenceError
from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.timefmt import from_datetime

MAX_VALUE_TEXT = 4096  # characters of a value kept in the table (binary as hex)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)  # regipy logs routine fallbacks at WARNING
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@register
class HiveAnalyzer(KindAnalyzer):
    name = "hive"
    version = "1"
    description = "registry hives: keys and values by path, last-written times"
    kinds = frozenset({"hive"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "info": (
            Field("file_name", "str", "file name stored in the hive header"),
            Field("hive_type", "str", "system, software, sam, security, ntuser, usrclass, ..."),
            Field("root", "str", "name of the root key"),
            Field("last_written", "str", "root key last written, UTC ISO 8601"),
            Field("keys", "int", "keys below the root"),
            Field("values", "int", "values in them"),
        ),
        "keys": (
            Field("path", "str", "key path from the root, backslash separated (\\Select)"),
            Field("name", "str", "last component"),
            Field("last_written", "str", "last-written time, UTC ISO 8601 with nanoseconds"),
            Field("subkeys", "int", "subkeys"),
            Field("values", "int", "values"),
        ),
        "values": (
            Field("path", "str", "key path"),
            Field("name", "str", "value name ('(default)' for the unnamed value)"),
            Field("type", "str", "REG_SZ, REG_DWORD, REG_BINARY, ..."),
            Field("value", "str", "value as text: numbers in decimal, binary as hex, lists "
                  "joined by ', ' (first 4096 characters)"),
            Field("corrupted", "bool", "regipy could not decode the value"),
        ),
    }

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        path: Path = source
        log = logging.getLogger("regipy")
        handler = _Collect()
        log.addHandler(handler)
        log.propagate, before = False, log.propagate
        try:
            self._walk(path)
        finally:
            log.removeHandler(handler)
            log.propagate = before
        for message in dict.fromkeys(handler.messages):
            self.note(message, where=str(path))

    def _walk(self, path: Path) -> None:
        from regipy.registry import RegistryHive

        try:
            hive: Any = RegistryHive(str(path))  # type: ignore[no-untyped-call]
            root_name, root_time = hive.root.name, hive.root.header.last_modified
        except Exception as exc:
            raise EvidenceError(f"regipy cannot read the hive: {exc}", where=str(path)) from None
        keys = values = 0
        try:
            for sk in hive.recurse_subkeys(as_json=False):
                keys += 1
                values += self._key(sk)
        except Exception as exc:
            self.note(f"key walk stopped after {keys} keys ({type(exc).__name__}: {exc})",
                      where=str(path))
        from regipy.utils import convert_wintime

        self.rows["info"].append({
            "file_name": str(hive.header.file_name), "hive_type": str(hive.hive_type or ""),
            "root": str(root_name), "keys": keys, "values": values,
            "last_written": _when(convert_wintime(root_time, as_json=False)),
        })

    def _key(self, sk: Any) -> int:
        vals = list(sk.values or [])
        self.rows["keys"].append({
            "path": sk.path, "name": sk.subkey_name, "last_written": _when(sk.timestamp),
            "subkeys": 0, "values": len(vals),
        })
        for v in vals:
            self.rows["values"].append({
                "path": sk.path, "name": v.name, "type": str(v.value_type),
                "value": _value_text(v.value), "corrupted": bool(v.is_corrupted),
            })
        return len(vals)

    def finish(self) -> Tables:
        children: dict[str, int] = {}
        for key in self.rows["keys"]:
            parent = key["path"].rpartition("\\")[0]
            children[parent] = children.get(parent, 0) + 1
        for key in self.rows["keys"]:
            key["subkeys"] = children.get(key["path"], 0)
        return dict(self.rows)


def _when(value: Any) -> str:
    from datetime import datetime

    if isinstance(value, datetime):
        return from_datetime(value)
    try:
        return from_datetime(datetime.fromisoformat(str(value)))
    except ValueError:
        return ""


def _value_text(value: Any) -> str:
    if isinstance(value, bytes):
        text = value.hex()
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    else:
        text = "" if value is None else str(value)
    return text[:MAX_VALUE_TEXT]
