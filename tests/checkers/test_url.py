"""URL answers."""

from __future__ import annotations

import pytest

from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/", "https://example.com/"),
        ("https://example.com:8443/", "https://example.com:8443/"),
        ("example.com/x", "http://example.com/x"),
        ("//example.com/x", "http://example.com/x"),
        ("http://example.com/%7euser/%2f%41", "http://example.com/~user/%2FA"),
        ("http://example.com/p?q=%3c", "http://example.com/p?q=%3C"),
        ("http://example.com/p#frag", "http://example.com/p"),
        ("http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"),
        ("http://bücher.example/päth", "http://xn--bcher-kva.example/p%C3%A4th"),
        ("http://u:p@Example.com/", "http://u:p@example.com/"),
    ],
)
def test_normal_forms(normalize: Normalize, raw: str, canonical: str) -> None:
    assert normalize("url", raw) == canonical


def test_dot_segments_are_kept_as_evidence(normalize: Normalize) -> None:
    assert normalize("url", "http://x.example/a/../../etc/passwd") == (
        "http://x.example/a/../../etc/passwd"
    )


def test_fragment_kept_when_asked(normalize: Normalize) -> None:
    assert (
        normalize("url", "http://x.example/#Top", ignore_fragment=False) == "http://x.example/#Top"
    )


def test_query_ignored_when_asked(judge: Judge) -> None:
    verdict = judge(
        "url", "http://x.example/a?id=2", ["http://x.example/a?id=1"], ignore_query=True
    )
    assert verdict.status is Status.CORRECT


@pytest.mark.parametrize("raw", ["http://", "http://x.example:99999/", "http://[::1/", "a b"])
def test_broken_urls_are_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("url", raw)


def test_different_path_is_wrong(judge: Judge) -> None:
    assert judge("url", "http://x.example/b", ["http://x.example/a"]).status is Status.WRONG
