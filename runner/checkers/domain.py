"""Domain names: case, a trailing dot and Unicode (IDN) spellings do not matter.

``Example.COM.`` equals ``example.com``; ``bücher.example`` equals
``xn--bcher-kva.example`` (IDNA 2008 with UTS #46 mapping, as browsers
resolve it). Underscores are allowed (``_ldap._tcp.dc.example``), since DNS
evidence is full of service labels.
"""

from __future__ import annotations

import re

import idna

from runner.checkers._common import snippet, token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer

HINT = "Write a domain name such as www.example.com."
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class DomainParams(CheckerParams):
    """The domain checker takes no parameters."""


def _ascii_label(label: str) -> str:
    if label.isascii():
        return label.lower()
    try:
        return idna.encode(label, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        raise InvalidAnswer(
            f"The label {snippet(label)} cannot be written as an internationalised name.", HINT
        ) from None


def parse_domain(raw: str) -> str:
    """A domain name in lower-case ASCII (punycode), without a trailing dot.

    Raises:
        InvalidAnswer: not a domain name.
    """
    text = token(raw, "a domain name", HINT, max_len=1024)
    if "://" in text or "/" in text or "@" in text:
        raise InvalidAnswer(
            f"{snippet(text)} is more than a domain name.", "Give only the host name."
        )
    text = text.translate(_DOTS)
    if text.endswith("."):
        text = text[:-1]
    labels = [_ascii_label(label) for label in text.split(".")]
    for label in labels:
        if not _LABEL.fullmatch(label):
            what = "an empty label" if not label else f"the label {snippet(label)}"
            raise InvalidAnswer(f"The name has {what}, which DNS does not allow.", HINT)
    name = ".".join(labels)
    if len(name) > 253:
        raise InvalidAnswer("The name is longer than DNS allows (253 characters).", HINT)
    return name


class DomainChecker(Checker):
    name = "domain"
    summary = "A domain name; case, trailing dot and IDN (punycode) spelling do not matter."
    Params = DomainParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        return parse_domain(raw)


CHECKER = DomainChecker
