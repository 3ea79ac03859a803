"""Message digest answers."""

from __future__ import annotations

import pytest

from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    "raw",
    [
        MD5.upper(),
        f"MD5: {MD5}",
        f"md5={MD5}",
        " ".join(MD5[i : i + 2] for i in range(0, 32, 2)),
        ":".join(MD5[i : i + 2] for i in range(0, 32, 2)),
    ],
)
def test_accepted_spellings(normalize: Normalize, raw: str) -> None:
    assert normalize("hash", raw) == MD5


def test_length_picks_the_algorithm(normalize: Normalize) -> None:
    assert normalize("hash", SHA1) == SHA1
    assert normalize("hash", f"sha256:{SHA256}") == SHA256


def test_wrong_length_is_invalid_with_the_lengths_in_the_hint(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("hash", MD5[:-1])
    assert "31 hex digits" in str(info.value)
    assert "64 (SHA-256)" in info.value.hint


def test_required_algorithm_refuses_another(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("hash", MD5, algorithm="sha256")
    assert "MD5" in str(info.value)
    assert "64 hex digits" in info.value.hint


def test_prefix_contradicting_length_is_invalid(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("hash", f"sha1:{MD5}")


def test_non_hex_is_invalid(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer, match="hex"):
        normalize("hash", "z" * 32)


def test_upper_case_answer_matches_key(judge: Judge) -> None:
    assert judge("hash", SHA256.upper(), [SHA256]).status is Status.CORRECT
    assert judge("hash", SHA1, [SHA256]).status is Status.WRONG
