"""Blockchain ledger exports: a block explorer's CSV of transaction inputs and outputs."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runner.errors import EvidenceError
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register

# The columns an export must have; others are kept out of the tables, not refused.
COLUMNS = ("txid", "block_time", "io", "index", "address", "value_btc")


def _header(data: bytes) -> list[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip().lstrip("\ufeff")
    return [c.strip().lower() for c in first.split(",")]


@register
class LedgerKind(EvidenceKind):
    name = "ledger"
    description = "blockchain ledger export (CSV): one row per transaction input and output"
    priority = 55  # text with a fixed header: before the loose mail test

    def probe(self, head: Head) -> bool:
        return set(COLUMNS) <= set(_header(head.data))

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise EvidenceError(f"cannot read the ledger export: {exc}", where=str(path)) \
                from None
        yield list(_rows(text, path, warn))


def _rows(text: str, path: Path, warn: Callable[[str], None]) -> Iterator[dict[str, Any]]:
    """The rows as mappings of column to cell, with their line; a line the csv module
    cannot split (a NUL byte, an unclosed quote at the end) is a warning, not the end."""
    reader = csv.DictReader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            warn(f"{path}: line {reader.line_num}: ledger: skipped: {exc}")
            continue
        yield {**row, "_line": reader.line_num}
