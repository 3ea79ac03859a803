"""Message digests (MD5, SHA-1, SHA-256, SHA-512) in hex, any case.

The algorithm follows from the length. ``sha256:ab12...`` or ``MD5: ab12...``
prefixes, hex split by spaces or colons (as ``certutil`` and
``openssl -c`` print it), and a whole output line of ``sha256sum``/``md5sum``
(``HEX  file``, ``HEX *file``) or of the BSD/``openssl dgst`` form
(``SHA256(file)= HEX``) are accepted.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from runner.checkers._common import token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer

Algorithm = Literal["md5", "sha1", "sha256", "sha512"]
LENGTHS: dict[str, int] = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
TITLES = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512"}
_BY_LENGTH = {length: algo for algo, length in LENGTHS.items()}
_PREFIX = re.compile(r"(?i)(md5|sha-?1|sha-?256|sha-?512)\s*[:=]?\s*")
_SEPARATORS = re.compile(r"[\s:]")
# "HEX  name" or "HEX *name" (GNU coreutils), "\HEX  name" (escaped file name).
_SUM_LINE = re.compile(r"\\?(?P<hex>[0-9a-fA-F]{32,128}) [ *](?P<file>\S.*)")
# "SHA256 (name) = HEX" (BSD, --tag) and "SHA2-256(name)= HEX" (openssl dgst).
_TAG_LINE = re.compile(
    r"(?i)(?P<algo>md5|sha-?1|sha2?-?256|sha2?-?512)\s*\((?P<file>.*)\)\s*=\s*(?P<hex>[0-9a-f]+)")


class HashParams(CheckerParams):
    algorithm: Algorithm | None = Field(
        None, description="Require this algorithm (md5, sha1, sha256, sha512); default: any."
    )


def _expected_hint(algorithm: str | None) -> str:
    if algorithm:
        return f"Give the {TITLES[algorithm]} digest: {LENGTHS[algorithm]} hex digits."
    return "Give the digest in hex: 32 (MD5), 40 (SHA-1), 64 (SHA-256) or 128 (SHA-512) digits."


def parse_digest(raw: str, algorithm: str | None = None) -> str:
    """A hex digest in lower case, checked against its length and ``algorithm``.

    Raises:
        InvalidAnswer: not hex, an unknown length, or not the algorithm asked for.
    """
    text = token(raw, "a digest", _expected_hint(algorithm), max_len=400, spaces=True)
    named = None
    tool_line = _SUM_LINE.fullmatch(text) or _TAG_LINE.fullmatch(text)
    if tool_line:
        algo = (tool_line.groupdict().get("algo") or "").lower().replace("-", "")
        named = {"sha2256": "sha256", "sha2512": "sha512"}.get(algo, algo) or None
        text = tool_line.group("hex")
    prefix = None if tool_line else _PREFIX.match(text)
    if prefix:
        named = prefix.group(1).lower().replace("-", "")
        text = text[prefix.end() :]
    digits = _SEPARATORS.sub("", text).lower()
    if not digits or not re.fullmatch(r"[0-9a-f]+", digits):
        raise InvalidAnswer(
            "A digest is written in hex digits 0-9 and a-f.", _expected_hint(algorithm)
        )
    found = _BY_LENGTH.get(len(digits))
    if found is None:
        raise InvalidAnswer(
            f"{len(digits)} hex digits is not the length of any digest this task knows.",
            _expected_hint(algorithm),
        )
    wanted = algorithm or named
    if wanted and found != wanted:
        raise InvalidAnswer(
            f"That is a {TITLES[found]} digest ({len(digits)} digits), not {TITLES[wanted]}.",
            _expected_hint(wanted),
        )
    return digits


class HashChecker(Checker):
    name = "hash"
    summary = "An MD5, SHA-1, SHA-256 or SHA-512 digest in hex, any case."
    Params = HashParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, HashParams)
        return parse_digest(raw, params.algorithm)


CHECKER = HashChecker
