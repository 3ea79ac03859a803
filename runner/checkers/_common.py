"""Helpers shared by several checkers (private: not a checker module itself).

Answers reach a checker from ``lab answer`` or from a file of up to 1 MB, so
every helper here refuses over-long or empty input early and cheaply, before
any regular expression or parser sees it.
"""

from __future__ import annotations

import unicodedata

from runner.checkers.base import InvalidAnswer

MAX_TOKEN = 512


def token(raw: str, what: str, hint: str, *, max_len: int = MAX_TOKEN, spaces: bool = False) -> str:
    """A single trimmed value from a raw answer, NFKC-normalised.

    NFKC turns full-width digits and letters (typed on some keyboard layouts or
    pasted from reports) into their ASCII forms.

    Args:
        raw: the answer as received.
        what: the kind of value, for messages ("an IP address").
        hint: how to write a valid value.
        max_len: the longest value accepted, in characters.
        spaces: whether white space may appear inside the value.

    Raises:
        InvalidAnswer: empty, too long, or (unless ``spaces``) containing spaces.
    """
    if len(raw) > max_len * 4:
        raise InvalidAnswer(f"The answer is too long to be {what}.", hint)
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise InvalidAnswer("The answer is empty.", hint)
    if len(text) > max_len:
        raise InvalidAnswer(f"The answer is too long to be {what}.", hint)
    if not spaces and any(ch.isspace() for ch in text):
        raise InvalidAnswer(f"The answer has spaces in it, so it is not {what}.", hint)
    return text


def snippet(text: str, limit: int = 40) -> str:
    """A short, printable excerpt of ``text`` for feedback messages."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)
