"""Tor onion service addresses, version 3 (rend-spec-v3, "Encoding onion addresses").

``onion_address = base32(PUBKEY | CHECKSUM | VERSION) + ".onion"``, where PUBKEY is the
service's 32-byte ed25519 identity key, VERSION is ``\\x03`` and CHECKSUM is the first two
bytes of ``SHA3-256(".onion checksum" | PUBKEY | VERSION)``. The checksum is why a
mistyped address is refused by Tor Browser instead of leading to another site: an
examiner can tell a real address from a garbled copy without going online.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VERSION = b"\x03"
SUFFIX = ".onion"
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def checksum(pubkey: bytes) -> bytes:
    """The two checksum bytes of ``pubkey`` as rend-spec-v3 defines them."""
    return hashlib.sha3_256(b".onion checksum" + pubkey + VERSION).digest()[:2]


def encode(pubkey: bytes) -> str:
    """The v3 address (56 base32 characters + ``.onion``) of a 32-byte ed25519 key."""
    if len(pubkey) != 32:
        raise ValueError(f"an ed25519 public key has 32 bytes, not {len(pubkey)}")
    raw = pubkey + checksum(pubkey) + VERSION
    return base64.b32encode(raw).decode("ascii").lower() + SUFFIX


def is_valid(address: str) -> bool:
    """Whether ``address`` is a well-formed v3 onion address: 56 base32 characters, version
    3 and a matching checksum (``http://`` and a path around it are not accepted)."""
    label = address.strip().lower().removesuffix(SUFFIX)
    if len(label) != 56 or any(c not in ALPHABET for c in label):
        return False
    try:
        raw = base64.b32decode(label.upper())
    except binascii.Error:
        return False
    pubkey, check, version = raw[:32], raw[32:34], raw[34:]
    return version == VERSION and check == checksum(pubkey)


def draw(rng: random.Random) -> str:
    """A valid address of a real ed25519 key whose private seed comes from ``rng``."""
    key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
    return encode(key.public_key().public_bytes_raw())


def mistype(rng: random.Random, address: str) -> str:
    """``address`` with one character of its key part changed, as a copy by hand garbles
    it: same length and alphabet, but the checksum no longer matches."""
    label = address.removesuffix(SUFFIX)
    while True:
        at = rng.randrange(51)  # characters of key bits only; the last five carry the checksum
        wrong = rng.choice([c for c in ALPHABET if c != label[at]])
        typo = label[:at] + wrong + label[at + 1:] + SUFFIX
        if not is_valid(typo):
            return typo
