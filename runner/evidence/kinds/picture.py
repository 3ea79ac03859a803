"""Pictures: JPEG, PNG, TIFF and HEIC/HEIF/AVIF, read for their EXIF metadata."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.artifacts.magic import picture_format
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register


@register
class PictureKind(EvidenceKind):
    name = "picture"
    description = "picture: JPEG, PNG, TIFF, HEIC (EXIF camera, time, GPS, thumbnails)"
    priority = 30

    def probe(self, head: Head) -> bool:
        return picture_format(head.data) != ""

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        yield Path(path)
