"""Whole numbers: decimal with thousands separators, or 0x/0o/0b prefixed.

A leading zero does not mean octal (``010`` is ten): trainees copy numbers out
of zero-padded tool output, never out of C source. A port in nmap's notation
(``22/tcp``) is its number, and a base unit may follow (``1000 ports``).
"""

from __future__ import annotations

import re
from typing import Any

from runner.checkers._common import strip_unit, token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer

HINT = "Write a whole number such as 1234, 1,234 or 0x4d2."

_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,3}(?P<sep>[,_' ])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)")
_PREFIXED = re.compile(
    r"(?P<sign>[+-]?)0(?P<base>[xXoObB])_?(?P<digits>[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)"
)
_BASES = {"x": 16, "o": 8, "b": 2}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-"})
_NMAP_PORT = re.compile(r"([0-9]{1,5})/(?:tcp|udp|sctp)", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]{1,3}")


class IntegerParams(CheckerParams):
    """The integer checker takes no parameters."""


def parse_integer(raw: str) -> int:
    """Read a trainee's whole number.

    Raises:
        InvalidAnswer: not a whole number in an accepted notation.
    """
    text = token(raw, "a whole number", HINT, max_len=80, spaces=True).translate(_SPACES)
    port = _NMAP_PORT.fullmatch(text)
    if port:
        return int(port.group(1))
    text = strip_unit(text, "the number")
    match = _DECIMAL.fullmatch(text)
    if match:
        sep = match.group("sep")
        return int(text.replace(sep, "") if sep else text)
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed:
        try:
            value = int(
                prefixed.group("digits").replace("_", ""), _BASES[prefixed.group("base").lower()]
            )
        except ValueError:
            raise InvalidAnswer(f"'{text}' has digits its base does not allow.", HINT) from None
        return -value if prefixed.group("sign") == "-" else value
    if re.fullmatch(r"[+-]?[0-9,_' ]*\.[0-9]*", text):
        raise InvalidAnswer(f"'{text}' is not a whole number.", "Leave out the fraction.")
    if _SCIENTIFIC.fullmatch(text):
        number = float(text)
        written = f"{int(number)}" if number.is_integer() and abs(number) < 1e16 else "it in full"
        raise InvalidAnswer(f"'{text}' is in scientific notation.",
                            f"Write the whole number out: {written}.")
    raise InvalidAnswer(f"'{text}' is not a whole number.", HINT)


class IntegerChecker(Checker):
    name = "integer"
    summary = "A whole number: decimal (1,234 or 1 234) or hexadecimal (0x4d2)."
    Params = IntegerParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        return str(parse_integer(raw))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        if isinstance(value, bool):
            raise InvalidAnswer("a yes/no value is not a number")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if not value.is_integer():
                raise InvalidAnswer("the value has a fraction")
            return str(int(value))
        return self.normalize(str(value), params)


CHECKER = IntegerChecker
