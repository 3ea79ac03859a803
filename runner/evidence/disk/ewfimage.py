"""Expert Witness (E01/Ex01) images: libewf (pyewf) supplies the media to The Sleuth Kit.

Segment files (``.E01``, ``.E02``...) are found with ``pyewf.glob``. libewf checks
each section's checksum when it opens the image: a damaged volume or table section
cannot be opened at all (an EvidenceError quoting libewf's reason). A damaged data
chunk is read without complaint, so the stored MD5 is verified over the media, as
``ewfverify`` does, and a mismatch is a warning (the facts are still made).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyewf
import pytsk3

from runner.errors import EvidenceError
from runner.evidence.disk.image import TSK_ERRORS, DiskImage, Warn, survey

_CHUNK = 4 << 20
_CHUNK_WARNINGS = 10  # chunks named one by one; _verify adds the total


class EwfImg(pytsk3.Img_Info):  # type: ignore[misc]
    """A pytsk3 image whose bytes come from a pyewf handle (pytsk3's documented pattern).

    A chunk libewf cannot deliver (a segment file missing or cut short) reads as zeros,
    like ``ewfexport`` with zero-on-error, and is warned about once with its offset, so
    TSK still lists what the readable chunks hold instead of failing the whole image.
    """

    def __init__(self, handle: Any, name: str, warn: Warn) -> None:
        self._handle = handle
        self._name = name
        self._warn = warn
        self._size = int(handle.get_media_size())
        self._chunk = max(512, int(handle.get_sectors_per_chunk() or 64) *
                          int(handle.get_bytes_per_sector() or 512))
        self.bad_chunks: set[int] = set()
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def close(self) -> None:
        self._handle.close()

    def read(self, offset: int, size: int) -> bytes:
        size = max(0, min(size, self._size - offset))
        try:
            self._handle.seek(offset)
            data: bytes = self._handle.read(size)
        except TSK_ERRORS:
            return self._read_chunkwise(offset, size)
        return data

    def _read_chunkwise(self, offset: int, size: int) -> bytes:
        parts = []
        at = offset
        while at < offset + size:
            start = at - at % self._chunk
            want = min(start + self._chunk, offset + size) - at
            try:
                self._handle.seek(at)
                parts.append(self._handle.read(want))
            except TSK_ERRORS as exc:
                if start not in self.bad_chunks:
                    self.bad_chunks.add(start)
                    if len(self.bad_chunks) <= _CHUNK_WARNINGS:  # then only the total
                        self._warn(f"{self._name}: offset {start}: E01 chunk unreadable "
                                   f"({_reason(exc)}); read as zeros")
                parts.append(bytes(want))
            at += want
        return b"".join(parts)

    def get_size(self) -> int:
        return self._size


def open_ewf(path: Path, warn: Warn) -> DiskImage:
    """An E01 image opened, verified and surveyed.

    Raises:
        EvidenceError: libewf cannot open it (bad section checksum, missing segment...).
    """
    try:
        names = pyewf.glob(str(path))
        handle = pyewf.handle()
        handle.open(names)
    except TSK_ERRORS as exc:
        raise EvidenceError(f"libewf cannot open this E01 image: {_reason(exc)}",
                            where=str(path),
                            fix="check the image with `ewfverify`; all segment files "
                                "(.E01, .E02, ...) must sit side by side") from None
    name = Path(path).name
    image = DiskImage(name, EwfImg(handle, name, warn), int(handle.get_media_size()), warn)
    image.sector_size = int(handle.get_bytes_per_sector() or 512)
    image.extra["ewf"] = _metadata(handle, names)
    image.extra["ewf"].update(_verify(image, handle))
    survey(image)
    return image


def _metadata(handle: Any, names: list[str]) -> dict[str, Any]:
    headers = handle.get_header_values() or {}
    hashes = handle.get_hash_values() or {}
    return {
        "segments": len(names),
        "media_size": int(handle.get_media_size()),
        "bytes_per_sector": int(handle.get_bytes_per_sector()),
        "sectors": int(handle.get_number_of_sectors()),
        "sectors_per_chunk": int(handle.get_sectors_per_chunk()),
        "headers": {str(k): str(v) for k, v in headers.items()},
        "stored_md5": str(hashes.get("MD5", "")).lower(),
        "stored_sha1": str(hashes.get("SHA1", "")).lower(),
    }


def _verify(image: DiskImage, handle: Any) -> dict[str, Any]:
    """MD5 and SHA-256 of the media (unreadable chunks as zeros); a stored MD5 that
    differs is a warning."""
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    done = 0
    while done < image.size:
        chunk = image.img.read(done, min(_CHUNK, image.size - done))
        if not chunk:
            break
        md5.update(chunk)
        sha256.update(chunk)
        done += len(chunk)
    stored = str((handle.get_hash_values() or {}).get("MD5", "")).lower()
    computed = md5.hexdigest()
    bad = image.img.bad_chunks
    if bad:
        image.warn(f"{image.name}: {len(bad)} chunk(s) unreadable, the first at offset "
                   f"{min(bad)}: the hashes cover zeros there")
    elif stored and stored != computed:
        image.warn(f"{image.name}: stored MD5 {stored} does not match the MD5 of the media "
                   f"{computed}: a chunk is damaged (ewfverify reports FAILURE)")
    return {"md5": computed, "sha256": sha256.hexdigest(), "verified": stored == computed}


def _reason(exc: BaseException) -> str:
    """libewf's innermost reason (its message lists the call chain, outermost last)."""
    text = str(exc)
    parts = [p.strip() for p in text.split(". ") if p.strip()]
    inner = next((p for p in parts if "checksum" in p or "missing" in p), None)
    return (inner or (parts[1] if len(parts) > 1 else text)).rstrip(".")
