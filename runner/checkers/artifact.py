"""A file the trainee produced in the lab (carved, exported, decoded).

Judged by SHA-256 against the key, and/or by size and by type. The type is
read from magic bytes by :func:`detect_file_type` (no libmagic: it must work
the same on every classroom server). The host has already copied the file out
of the lab safely; a symbolic link is still refused here, defensively.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from runner.checkers.base import (
    Checker,
    CheckerParams,
    InvalidAnswer,
    JudgeContext,
    Key,
    Verdict,
)
from runner.checkers.hash import parse_digest

FileType = Literal[
    "pe", "elf", "zip", "pdf", "png", "jpeg", "gif", "gzip", "pcap", "pcapng", "text"
]
HEAD = 65536
_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "elf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"\xd4\xc3\xb2\xa1", "pcap"),
    (b"\xa1\xb2\xc3\xd4", "pcap"),
    (b"\x4d\x3c\xb2\xa1", "pcap"),
    (b"\xa1\xb2\x3c\x4d", "pcap"),
    (b"\x0a\x0d\x0d\x0a", "pcapng"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b\x0b")


class ArtifactParams(CheckerParams):
    size: int | None = Field(None, ge=0, description="The file must be exactly this many bytes.")
    min_size: int | None = Field(
        None, ge=0, description="The file must be at least this many bytes."
    )
    max_size: int | None = Field(
        None, ge=0, description="The file must be at most this many bytes."
    )
    file_type: FileType | None = Field(
        None,
        description="The file must be of this type, by magic bytes: pe, elf, zip, pdf, png, jpeg, "
        "gif, gzip, pcap, pcapng or text.",
    )

    @model_validator(mode="after")
    def _sizes(self) -> ArtifactParams:
        if self.size is not None and (self.min_size is not None or self.max_size is not None):
            raise ValueError("give either 'size' or 'min_size'/'max_size', not both")
        if (
            self.min_size is not None
            and self.max_size is not None
            and self.min_size > self.max_size
        ):
            raise ValueError("'min_size' is larger than 'max_size'")
        return self


def _is_pe(head: bytes) -> bool:
    if not head.startswith(b"MZ") or len(head) < 0x40:
        return False
    offset = int.from_bytes(head[0x3C:0x40], "little")
    return head[offset : offset + 4] == b"PE\x00\x00"


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    sample = head.removeprefix(b"\xef\xbb\xbf")
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may end inside a multi-byte character; that is still text.
        if exc.start < len(sample) - 3:
            return False
    return all(b >= 0x20 or b in _TEXT_CONTROLS for b in sample)


def detect_file_type(head: bytes) -> str:
    """The type of a file from its first bytes (up to 64 KiB).

    Returns:
        One of the ``file_type`` names, ``"empty"``, or ``"data"`` when unknown.
    """
    if not head:
        return "empty"
    if _is_pe(head):
        return "pe"
    for magic, name in _MAGICS:
        if head.startswith(magic):
            return name
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return "text" if _is_text(head) else "data"


def _read(path: Path) -> tuple[int, bytes, str]:
    """Size, head and SHA-256 of a regular file, refusing to follow a link."""
    try:
        # O_NONBLOCK: a FIFO planted in place of the file must not hang the judge.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise InvalidAnswer("Only a regular file can be submitted, not a folder.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InvalidAnswer("Only a regular file can be submitted.")
    with os.fdopen(fd, "rb") as handle:
        head = handle.read(HEAD)
        digest = hashlib.sha256(head)
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return info.st_size, head, digest.hexdigest()


def _size_problem(size: int, params: ArtifactParams) -> str:
    if params.size is not None and size != params.size:
        return f"The file is {size} bytes, which is not the expected size."
    if params.min_size is not None and size < params.min_size:
        return f"The file is {size} bytes, smaller than expected."
    if params.max_size is not None and size > params.max_size:
        return f"The file is {size} bytes, larger than expected."
    return ""


class ArtifactChecker(Checker):
    name = "artifact"
    summary = "A file produced in the lab, judged by SHA-256, size and/or type (magic bytes)."
    Params = ArtifactParams
    accepts_file = True
    accepts_text = False

    def normalize(self, raw: str, params: CheckerParams) -> str:
        """The SHA-256 hex digest a key holds (expected values are digests)."""
        return parse_digest(raw, "sha256")

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        return self.normalize(str(value), params)

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        return Verdict.invalid("This task takes a file: use 'lab submit TASK /work/FILE'.")

    def judge_file(self, path: Path, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, ArtifactParams)
        if path.is_symlink():
            return Verdict.invalid("A symbolic link cannot be submitted; submit the file itself.")
        try:
            size, head, digest = _read(path)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        if self.key_matches(digest, key, params):
            return Verdict.correct(digest)
        problems = [_size_problem(size, params)]
        found = detect_file_type(head)
        if params.file_type is not None and found != params.file_type:
            problems.append(f"The file looks like {found}, not {params.file_type}.")
        if key.values or key.sealed:
            problems.append("Its content is not the expected file.")
        problems = [p for p in problems if p]
        if problems:
            return Verdict.wrong(digest, " ".join(problems))
        return Verdict.correct(digest)


CHECKER = ArtifactChecker
