"""Artifact files: SHA-256, size, type by magic bytes, symlinks refused."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydantic import ValidationError

from runner.checkers import registry
from runner.checkers.artifact import detect_file_type
from runner.checkers.base import JudgeContext, Key, Status, Verdict, seal_value

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _pe() -> bytes:
    head = bytearray(b"MZ" + b"\x00" * 0x7E)
    head[0x3C:0x40] = (0x80).to_bytes(4, "little")
    return bytes(head) + b"PE\x00\x00" + b"\x00" * 64


def _submit(
    path: Path, values: tuple[str, ...] = (), sealed: tuple[str, ...] = (), **params: object
) -> Verdict:
    checker = registry().get("artifact")
    key = Key(values=values, sealed=sealed)
    return checker.judge_file(path, key, checker.parse_params(params), JudgeContext())


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"", "empty"),
        (_pe(), "pe"),
        (b"\x7fELF\x02\x01", "elf"),
        (b"PK\x03\x04rest", "zip"),
        (b"%PDF-1.7\n", "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"GIF89a", "gif"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"\xd4\xc3\xb2\xa1", "pcap"),
        (b"\x0a\x0d\x0d\x0a", "pcapng"),
        ("GET / HTTP/1.1\r\nHost: ü\r\n".encode(), "text"),
        (b"MZ but not a PE", "text"),
        (b"\x00\x01\x02", "data"),
        ("ü".encode()[:1], "text"),
    ],
)
def test_detect_file_type(head: bytes, kind: str) -> None:
    assert detect_file_type(head) == kind


def test_matching_sha256_is_correct(tmp_path: Path) -> None:
    path = tmp_path / "carved.png"
    path.write_bytes(PNG)
    digest = hashlib.sha256(PNG).hexdigest()
    verdict = _submit(path, (digest.upper(),))
    assert verdict.status is Status.CORRECT
    assert verdict.normalized == digest


def test_sealed_sha256_is_correct(tmp_path: Path) -> None:
    path = tmp_path / "carved.png"
    path.write_bytes(PNG)
    sealed = (seal_value(hashlib.sha256(PNG).hexdigest(), "salt"),)
    assert _submit(path, sealed=sealed).status is Status.CORRECT


def test_wrong_content_explains_size_and_type(tmp_path: Path) -> None:
    path = tmp_path / "carved.bin"
    path.write_bytes(b"\x00" * 10)
    verdict = _submit(path, ("0" * 64,), size=40, file_type="png")
    assert verdict.status is Status.WRONG
    assert "10 bytes" in verdict.feedback
    assert "looks like data, not png" in verdict.feedback
    assert "not the expected file" in verdict.feedback


def test_judged_by_type_and_size_alone(tmp_path: Path) -> None:
    path = tmp_path / "carved.exe"
    path.write_bytes(_pe())
    assert _submit(path, file_type="pe", min_size=100).status is Status.CORRECT
    assert _submit(path, file_type="pe", max_size=100).status is Status.WRONG
    assert _submit(path, file_type="elf").status is Status.WRONG


def test_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "real.png"
    target.write_bytes(PNG)
    link = tmp_path / "link.png"
    link.symlink_to(target)
    assert _submit(link, (hashlib.sha256(PNG).hexdigest(),)).status is Status.INVALID


def test_folder_is_refused(tmp_path: Path) -> None:
    assert _submit(tmp_path).status is Status.INVALID


def test_typed_answer_is_refused() -> None:
    checker = registry().get("artifact")
    verdict = checker.judge("abc", Key(), checker.parse_params({}), JudgeContext())
    assert verdict.status is Status.INVALID
    assert "lab submit" in verdict.feedback
    assert checker.accepts_text is False


def test_expected_values_must_be_sha256() -> None:
    checker = registry().get("artifact")
    params = checker.parse_params({})
    assert checker.check_expected(("a" * 64,), params) == []
    assert len(checker.check_expected(("a" * 32, "nothex"), params)) == 2


@pytest.mark.parametrize(
    "params",
    [{"size": 1, "min_size": 0}, {"min_size": 5, "max_size": 4}, {"file_type": "docx"}],
)
def test_contradictory_params_are_refused(params: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        registry().get("artifact").parse_params(params)
