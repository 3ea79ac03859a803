"""Seeds: one integer per variant, derived so that seats never share one by accident."""

from __future__ import annotations

import hashlib
import random


def derive_seed(*parts: str | int) -> int:
    """A 64-bit seed from any parts (class seed, seat id, output name, ...).

    Hashing rather than adding keeps neighbouring seats' variants unrelated and makes
    the same parts give the same seed on every machine and Python version.
    """
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def rng_for(seed: int, *scope: str) -> random.Random:
    """A private random stream for one part of a variant (variables, one output, ...).

    Each part draws from its own stream, so adding an event to a story does not change
    the values every earlier part drew.
    """
    return random.Random(derive_seed(seed, *scope))
