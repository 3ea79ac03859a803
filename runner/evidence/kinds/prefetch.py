"""Windows prefetch files: `SCCA` at offset 4, or Windows 10's MAM-compressed form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register

# Uncompressed (XP to 8.1): version (17, 23, 26, 30) then "SCCA". Windows 10 wraps the
# whole file in LZXPRESS Huffman: "MAM" + 0x04, then the uncompressed size.
VERSIONS = (17, 23, 26, 30, 31)


@register
class PrefetchKind(EvidenceKind):
    name = "prefetch"
    description = "Windows prefetch (.pf, also MAM-compressed): runs, volumes, files loaded"
    priority = 20

    def probe(self, head: Head) -> bool:
        if head.at(0, b"MAM\x04"):
            return True
        return head.at(4, b"SCCA") and head.data[0] in VERSIONS and head.data[1:4] == b"\0\0\0"

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        yield Path(path)
