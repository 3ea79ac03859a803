"""MAC (EUI-48) addresses with any separator and any case.

Accepted: ``AA:BB:CC:DD:EE:FF``, ``aa-bb-cc-dd-ee-ff``, ``aa bb cc dd ee ff``,
``aabb.ccdd.eeff`` (Cisco), ``aabbccddeeff``, and one-digit groups as macOS
``arp`` prints them (``0:1e:c2:a:b:c``). Normalised to ``aa:bb:cc:dd:ee:ff``.
"""

from __future__ import annotations

import re

from runner.checkers._common import token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer

HINT = "Write a MAC address such as 00:1a:2b:3c:4d:5e."

_GROUPED = re.compile(r"[0-9a-f]{1,2}(?P<sep>[:\- ])[0-9a-f]{1,2}(?:(?P=sep)[0-9a-f]{1,2}){4}")
_CISCO = re.compile(r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}")
_BARE = re.compile(r"[0-9a-f]{12}")
# Wireshark with name resolution on shows "IntelCor_3c:4d:5e": the vendor's OUI is gone.
_RESOLVED = re.compile(r"[a-z][\w.-]*_[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}")


class MacParams(CheckerParams):
    """The mac checker takes no parameters."""


def parse_mac(raw: str) -> str:
    """A MAC address as ``aa:bb:cc:dd:ee:ff``.

    Raises:
        InvalidAnswer: not a MAC address.
    """
    text = token(raw, "a MAC address", HINT, max_len=40, spaces=True).lower()
    if _GROUPED.fullmatch(text):
        octets = re.split(r"[:\- ]", text)
    elif _CISCO.fullmatch(text) or _BARE.fullmatch(text):
        digits = text.replace(".", "")
        octets = [digits[i : i + 2] for i in range(0, 12, 2)]
    elif _RESOLVED.fullmatch(text):
        raise InvalidAnswer(
            f"'{text}' has the vendor name instead of the first three bytes.",
            "Turn off MAC name resolution in Wireshark (View > Name Resolution) and copy again.",
        )
    else:
        raise InvalidAnswer(f"'{text}' is not a MAC address.", HINT)
    return ":".join(octet.rjust(2, "0") for octet in octets)


class MacChecker(Checker):
    name = "mac"
    summary = "A MAC address with any separator (: - . or none) and any case."
    Params = MacParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        return parse_mac(raw)


CHECKER = MacChecker
