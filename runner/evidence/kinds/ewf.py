"""Expert Witness (EnCase E01, Ex01) images, recognised by their signature, read with
libewf and then The Sleuth Kit like a raw disk image."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register

EVF = b"EVF\x09\x0d\x0a\xff\x00"  # E01 (EWF-E01, EnCase 1-6)
EVF2 = b"EVF2\x0d\x0a\x81\x00"  # Ex01 (EWF2, EnCase 7+)


@register
class EwfKind(EvidenceKind):
    name = "ewf"
    description = "Expert Witness (EnCase) disk image: E01 or Ex01, any segment count"
    priority = 20

    def probe(self, head: Head) -> bool:
        return head.at(0, EVF) or head.at(0, EVF2)

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        from runner.evidence.disk.ewfimage import open_ewf

        image = open_ewf(path, warn)
        try:
            yield image
        finally:
            image.img.close()
