"""Windows shortcuts (.lnk, MS-SHLLINK): a 76-byte header with the ShellLink CLSID."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register

# HeaderSize 0x4C then CLSID 00021401-0000-0000-C000-000000000046 (little-endian fields)
MAGIC = b"\x4c\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46"


@register
class LnkKind(EvidenceKind):
    name = "lnk"
    description = "Windows shortcut (LNK): target path, times, volume, machine id"
    priority = 20

    def probe(self, head: Head) -> bool:
        return head.at(0, MAGIC)

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        yield Path(path)
