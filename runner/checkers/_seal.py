"""Sealed keys: a slow, memory-hard hash of a normalised answer (private helpers).

A sealed key reads ``sealed:scrypt:n=16384,r=8,p=1:SALT:HEX``: the KDF's
parameters travel inside the string, so a later dflab can raise the cost for
new seals and still judge old ones. Keys sealed by dflab before 0.x with
``sealed:sha256:SALT:HEX`` (one fast hash) are still judged, and ``dflab
validate`` warns that they should be re-sealed.

What sealing protects and what it does not is in docs/checkers.md ("Which
types can be sealed"): it stops casual reading of a shared scenario file, not
a determined trainee who has the file and a small answer space to search.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

SEAL_PREFIX = "sealed:"
SCRYPT_PREFIX = "sealed:scrypt:"
LEGACY_PREFIX = "sealed:sha256:"
# 16 MiB of memory and a few tens of milliseconds per check (see bench/bench_seal.py).
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**14, 8, 1
DKLEN = 32
_SCRYPT = re.compile(
    r"sealed:scrypt:n=(?P<n>[0-9]{1,8}),r=(?P<r>[0-9]{1,2}),p=(?P<p>[0-9]{1,2})"
    r":(?P<salt>[0-9A-Za-z_-]{1,64}):(?P<hex>[0-9a-f]{64})"
)
_LEGACY = re.compile(r"sealed:sha256:(?P<salt>[^:]*):(?P<hex>[0-9a-f]{64})")
# Bounds a scenario may not exceed: one check must stay affordable on the host.
MAX_N, MAX_R, MAX_P = 2**17, 16, 4


def is_sealed(value: object) -> bool:
    """Whether a literal expected value is a sealed key of a scheme dflab knows."""
    return isinstance(value, str) and value.startswith((SCRYPT_PREFIX, LEGACY_PREFIX))


def seal_problem(value: str) -> str | None:
    """Why a sealed string cannot be used, or ``None`` when it can."""
    if value.startswith(LEGACY_PREFIX):
        return None if _LEGACY.fullmatch(value) else "the sealed key is damaged"
    match = _SCRYPT.fullmatch(value)
    if not match:
        return "the sealed key is damaged (expected sealed:scrypt:n=N,r=R,p=P:SALT:HEX)"
    n, r, p = int(match["n"]), int(match["r"]), int(match["p"])
    if n < 2 or n & (n - 1) or n > MAX_N or not 1 <= r <= MAX_R or not 1 <= p <= MAX_P:
        return f"the sealed key's cost n={n},r={r},p={p} is outside what dflab accepts"
    return None


def is_legacy(value: str) -> bool:
    """A key sealed with one fast SHA-256 (cheap to brute-force): re-seal it."""
    return value.startswith(LEGACY_PREFIX)


@lru_cache(maxsize=8192)
def _derive(normalized: str, salt: str, n: int, r: int, p: int) -> str:
    """scrypt of one answer; cached so a repeated answer or set member costs nothing."""
    return hashlib.scrypt(normalized.encode(), salt=salt.encode(), n=n, r=r, p=p,
                          maxmem=256 * 1024 * 1024, dklen=DKLEN).hex()


def seal_value(normalized: str, salt: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R,
               p: int = DEFAULT_P) -> str:
    """Seal one normalised answer as ``sealed:scrypt:n=N,r=R,p=P:SALT:HEX``."""
    return f"{SCRYPT_PREFIX}n={n},r={r},p={p}:{salt}:{_derive(normalized, salt, n, r, p)}"


def legacy_seal_value(normalized: str, salt: str) -> str:
    """The old ``sealed:sha256:SALT:HEX`` form (only to test that old files still judge)."""
    digest = hashlib.sha256(f"{salt}\x00{normalized}".encode()).hexdigest()
    return f"{LEGACY_PREFIX}{salt}:{digest}"


def matches_seal(normalized: str, sealed: str) -> bool:
    """True when ``normalized`` is the answer a sealed key was made from."""
    match = _SCRYPT.fullmatch(sealed)
    if match and seal_problem(sealed) is None:
        derived = _derive(normalized, match["salt"], int(match["n"]), int(match["r"]),
                          int(match["p"]))
        return hmac.compare_digest(derived, match["hex"])
    legacy = _LEGACY.fullmatch(sealed)
    if legacy:
        expected = legacy_seal_value(normalized, legacy["salt"]).rsplit(":", 1)[1]
        return hmac.compare_digest(expected, legacy["hex"])
    return False
