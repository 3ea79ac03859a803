"""Helpers shared by several checkers (private: not a checker module itself).

Answers reach a checker from ``lab answer`` or from a file of up to 1 MB, so
every helper here refuses over-long or empty input early and cheaply, before
any regular expression or parser sees it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Any

from pydantic_core import PydanticCustomError

from runner.checkers.base import Checker, CheckerParams, InvalidAnswer

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


# A count or a duration may come with the unit the question asked for ("23.09 seconds",
# "1000 ports"). Base units are dropped; a scaled unit would change the number, so it
# is refused with a hint rather than guessed at.
BASE_UNITS = frozenset({
    "s", "sec", "secs", "second", "seconds", "b", "byte", "bytes", "octet", "octets",
    "packet", "packets", "frame", "frames", "port", "ports", "host", "hosts", "time", "times",
    "attempt", "attempts", "connection", "connections", "request", "requests",
})
SCALED_UNITS = frozenset({
    "ms", "msec", "millisecond", "milliseconds", "us", "µs", "μs", "microsecond",
    "microseconds", "ns", "nanosecond", "nanoseconds", "m", "min", "mins", "minute",
    "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "k", "kb", "kib",
    "mb", "mib", "gb", "gib", "kbyte", "kbytes", "mbyte", "mbytes",
})
_UNIT = re.compile(r"(?P<num>.*?[0-9.])(?P<space>\s*)(?P<unit>[^\W\d_]+)\.?", re.UNICODE)
_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9][0-9,_' ]*(?:\.[0-9]*)?|[+-]?\.[0-9]+")


def strip_unit(raw: str, what: str) -> str:
    """``raw`` without a trailing base unit ("23.09 seconds" -> "23.09").

    A unit written without a space is only taken off a plain decimal number, so
    hexadecimal ``0x1b`` is never read as ``0x1`` bytes.

    Raises:
        InvalidAnswer: a scaled unit (ms, minutes, KB...): the number would change.
    """
    match = _UNIT.fullmatch(raw.strip())
    if not match:
        return raw
    unit = match.group("unit").casefold()
    if not match.group("space") and not _PLAIN_DECIMAL.fullmatch(match.group("num")):
        return raw
    if unit in BASE_UNITS:
        return match.group("num")
    if unit in SCALED_UNITS:
        raise InvalidAnswer(f"'{raw.strip()}' gives {what} in {match.group('unit')}.",
                            "Give it in the unit the question asks for (seconds, bytes), "
                            "without the unit or with it spelled out.")
    return raw


def param_error(message: str) -> PydanticCustomError:
    """A parameter error whose message reads as written (no "Value error, " prefix)."""
    return PydanticCustomError("dflab_parameter", message.replace("{", "{{").replace("}", "}}"))


def inner_checker(kind: str, item: dict[str, Any], *, excluded: Collection[str],
                  holder: str, role: str) -> tuple[Checker, CheckerParams]:
    """The checker and parsed parameters of the values inside a set, sequence or record.

    Raises:
        PydanticCustomError: an unknown or unsuitable inner type, or bad ``item`` params.
    """
    from runner.checkers import registry

    reg = registry()
    if kind not in reg:
        raise param_error(f"unknown {role} type '{kind}' (use one of: {', '.join(reg.names())})")
    checker = reg.get(kind)
    if kind in excluded or not checker.accepts_text:
        raise param_error(f"{holder} cannot hold '{kind}' values")
    return checker, checker.parse_params(item)


MAX_LIST_TEXT = 1_100_000  # a set or sequence answer: about MAX_MEMBERS long values


def normalize_items(pieces: list[str], raw: str, checker: Checker, item: CheckerParams, *,
                    of: str, word: str, empty_hint: str, limit: int) -> list[str]:
    """Each piece of a set or sequence answer normalised by its inner checker, in order.

    ``word`` names a piece in messages ("member", "element"); an invalid piece is reported
    by its number, with the inner checker's own message and hint.
    """
    if len(raw) > MAX_LIST_TEXT:
        raise InvalidAnswer("The answer is too long.", f"List the {word}s, one per line.")
    if not pieces:
        raise InvalidAnswer("The answer is empty.", empty_hint)
    if len(pieces) > limit:
        raise InvalidAnswer(f"The answer lists more than {limit} {word}s.", "")
    out = []
    for number, piece in enumerate(pieces, 1):
        try:
            out.append(checker.normalize(piece, item))
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"{word.capitalize()} {number} is not a valid {of}: {exc}",
                                exc.hint) from None
    return out
