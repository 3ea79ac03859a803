"""Domain name answers."""

from __future__ import annotations

import pytest

from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("WWW.Example.COM.", "www.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("faß.de", "xn--fa-hia.de"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("_ldap._tcp.DC.example", "_ldap._tcp.dc.example"),
        ("example。com", "example.com"),
    ],
)
def test_accepted_spellings(normalize: Normalize, raw: str, canonical: str) -> None:
    assert normalize("domain", raw) == canonical


@pytest.mark.parametrize("raw", ["a..b", ".", "bad label.com", "x" * 64 + ".com", "😀.com"])
def test_impossible_names_are_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("domain", raw)


def test_url_instead_of_name_gets_a_hint(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer) as info:
        normalize("domain", "http://evil.example/x")
    assert "host name" in info.value.hint


def test_too_long_name_is_invalid(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer, match="253"):
        normalize("domain", ".".join(["a" * 60] * 5))


def test_unicode_answer_matches_punycode_key(judge: Judge) -> None:
    assert judge("domain", "Bücher.Example.", ["xn--bcher-kva.example"]).status is Status.CORRECT
