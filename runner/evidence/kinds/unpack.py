"""Compressed evidence (gzip, xz, bzip2): unpacked to a private temporary file first.

Forensic test images are often shipped compressed (``image.raw.gz``); a disk image
must be read at random offsets, so it is unpacked once, with a ceiling that turns a
decompression bomb into a clear error instead of a full disk.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from runner.errors import EvidenceError
from runner.evidence.kinds.base import Head

MAX_UNPACKED = 8 * 1024**3  # bytes; larger is refused (raise with DFLAB_MAX_UNPACKED later)
_CHUNK = 1 << 20

_FORMATS: tuple[tuple[bytes, str, Callable[..., Any]], ...] = (
    (b"\x1f\x8b", "gzip", gzip.open),
    (b"\xfd7zXZ\x00", "xz", lzma.open),
    (b"BZh", "bzip2", bz2.open),
)


def compression(head: Head) -> tuple[str, Callable[..., Any]] | None:
    """The compression format of a file from its magic, or None."""
    for magic, name, opener in _FORMATS:
        if head.at(0, magic):
            return name, opener
    return None


@contextmanager
def unpacked(path: Path, fmt: str, opener: Callable[..., Any], warn: Callable[[str], None],
             limit: int = MAX_UNPACKED) -> Iterator[Path]:
    """A temporary uncompressed copy of ``path``, removed on exit.

    A stream cut short keeps what was unpacked (a warning says so): the kinds then
    report their own damage at the cut, as for an image truncated uncompressed.

    Raises:
        EvidenceError: the stream is corrupt or unpacks to more than ``limit`` bytes.
    """
    with tempfile.TemporaryDirectory(prefix="dflab-unpack-") as tmp:
        out = Path(tmp) / (Path(path).name.rsplit(".", 1)[0] or "evidence")
        total = 0
        try:
            with opener(path, "rb") as src, out.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise EvidenceError(
                            f"{fmt} content unpacks to more than {limit} bytes; refused "
                            "(a decompression bomb, or an image too large to unpack here)",
                            where=str(path), fix="unpack it yourself and give the raw file")
                    _write(dst, chunk, path, tmp)
        except EOFError:
            warn(f"{path}: {fmt} stream cut short after {total} unpacked bytes; "
                 "analysing what was unpacked")
        except (OSError, lzma.LZMAError, ValueError) as exc:
            raise EvidenceError(
                f"damaged {fmt} stream after {total} unpacked bytes: {exc}",
                where=str(path), fix="check the file, or unpack what you can yourself",
            ) from None
        yield out


def _write(dst: Any, chunk: bytes, path: Path, tmp: str) -> None:
    """Write unpacked bytes; a full or read-only temporary folder is its own error."""
    try:
        dst.write(chunk)
    except OSError as exc:
        raise EvidenceError(
            f"cannot unpack into {tmp}: {exc.strerror or exc}", where=str(path),
            fix="free space there (or set TMPDIR to a larger folder), or unpack it yourself",
        ) from None


__all__ = ["MAX_UNPACKED", "compression", "unpacked"]
