"""Bitcoin addresses, output scripts and transaction ids, as block explorers show them.

Addresses are encoded with the field's libraries (``base58`` for Base58Check P2PKH and
P2SH, ``bech32``, the BIP 173 reference code, for native SegWit P2WPKH), so a generated
address carries a real checksum and any wallet or explorer would accept its form; the
same code tells an examiner's typo (a bad checksum) from a real address.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from functools import cache
from typing import Literal

import base58
import bech32
from mnemonic import Mnemonic

AddressType = Literal["p2pkh", "p2sh", "p2wpkh"]
ADDRESS_TYPES: tuple[AddressType, ...] = ("p2pkh", "p2sh", "p2wpkh")
VERSIONS: dict[AddressType, int] = {"p2pkh": 0x00, "p2sh": 0x05}  # mainnet version bytes
HRP = "bc"
SATOSHI = 100_000_000
# An extended public key as Electrum (native SegWit) stores it: "zpub" version bytes.
ZPUB_VERSION = bytes.fromhex("04b24746")
ELECTRUM_SEGWIT = "100"  # Electrum's seed version prefix for a native SegWit wallet


@dataclass(frozen=True)
class Decoded:
    """What an address holds: its type and the 20-byte hash its script pays to."""

    type: AddressType
    hash160: bytes


def encode(kind: AddressType, hash160: bytes) -> str:
    """The address paying to ``hash160`` (a key hash, or a script hash for P2SH)."""
    if len(hash160) != 20:
        raise ValueError(f"an address hash is 20 bytes, got {len(hash160)}")
    if kind == "p2wpkh":
        text = bech32.encode(HRP, 0, list(hash160))
        assert isinstance(text, str)
        return text
    return base58.b58encode_check(bytes([VERSIONS[kind]]) + hash160).decode("ascii")


def decode(address: str) -> Decoded | None:
    """The type and hash of a mainnet address, or None if it is not one (bad checksum)."""
    if address.lower().startswith(HRP + "1"):
        version, program = bech32.decode(HRP, address)
        if version == 0 and program is not None and len(program) == 20:
            return Decoded("p2wpkh", bytes(program))
        return None
    try:
        raw = base58.b58decode_check(address)
    except ValueError:
        return None
    kinds = {v: k for k, v in VERSIONS.items()}
    if len(raw) != 21 or raw[0] not in kinds:
        return None
    return Decoded(kinds[raw[0]], raw[1:])


def zpub(depth_fingerprint_child: bytes, chain_code: bytes, key: bytes) -> str:
    """An extended public key in Base58Check (BIP 32 layout, zpub version bytes)."""
    body = ZPUB_VERSION + depth_fingerprint_child + chain_code + key
    if len(body) != 78:
        raise ValueError(f"an extended key is 78 bytes, got {len(body)}")
    return base58.b58encode_check(body).decode("ascii")


def script_pubkey(address: str) -> bytes:
    """The output script a transaction writes to pay ``address``."""
    decoded = decode(address)
    if decoded is None:
        raise ValueError(f"not a valid address: {address}")
    if decoded.type == "p2pkh":  # OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
        return b"\x76\xa9\x14" + decoded.hash160 + b"\x88\xac"
    if decoded.type == "p2sh":  # OP_HASH160 <20> OP_EQUAL
        return b"\xa9\x14" + decoded.hash160 + b"\x87"
    return b"\x00\x14" + decoded.hash160  # witness v0 key hash


def _compact(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    return b"\xfd" + n.to_bytes(2, "little")


def txid(inputs: list[tuple[str, int]], outputs: list[tuple[str, int]], locktime: int) -> str:
    """The id of a transaction: SHA-256 twice over its serialisation without witness
    data (as SegWit defines the txid), shown byte-reversed as explorers print it.

    Args:
        inputs: (previous txid, output index) of each coin spent.
        outputs: (address, value in satoshi) of each output.
        locktime: the transaction's nLockTime (wallets set the current block height).
    """
    raw = bytearray((2).to_bytes(4, "little"))
    raw += _compact(len(inputs))
    for prev, index in inputs:
        raw += bytes.fromhex(prev)[::-1] + index.to_bytes(4, "little") + b"\x00"
        raw += (0xFFFFFFFD).to_bytes(4, "little")  # opts in to replace-by-fee, as wallets do
    raw += _compact(len(outputs))
    for address, value in outputs:
        script = script_pubkey(address)
        raw += value.to_bytes(8, "little") + _compact(len(script)) + script
    raw += locktime.to_bytes(4, "little")
    return hashlib.sha256(hashlib.sha256(bytes(raw)).digest()).digest()[::-1].hex()


def btc(satoshi: int) -> str:
    """An amount as explorers print it: BTC with eight decimals."""
    return f"{satoshi // SATOSHI}.{satoshi % SATOSHI:08d}"


def satoshi(text: str) -> int:
    """An amount in BTC (``0.125``, ``1.00000000``) as an exact number of satoshi.

    Raises:
        ValueError: not a non-negative decimal with at most eight places.
    """
    whole, _, frac = text.strip().partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 8:
        raise ValueError(f"not an amount in BTC: {text!r}")
    return int(whole) * SATOSHI + int(frac.ljust(8, "0") or "0")


@cache
def _words() -> tuple[str, ...]:
    return tuple(Mnemonic("english").wordlist)


def electrum_seed(rng: random.Random) -> str:
    """A 12-word Electrum recovery phrase of a native SegWit ("segwit") wallet.

    Electrum does not use the BIP 39 checksum: its phrase is a number written in base
    2048 over the BIP 39 English words, and the HMAC-SHA512 of the phrase (key "Seed
    version") must start with the wallet type's prefix. This follows Electrum's
    ``make_seed``: draw 132 bits, count up until the prefix matches, and skip phrases
    that are valid BIP 39 too, so Electrum would restore it as a SegWit wallet.
    """
    words = _words()
    entropy = 0
    while entropy < 2 ** 121:  # the top word must not be the first one: 12 words
        entropy = rng.getrandbits(132)
    while True:
        entropy += 1
        number, phrase = entropy, []
        while number:
            number, digit = divmod(number, len(words))
            phrase.append(words[digit])
        text = " ".join(phrase)
        version = hmac.new(b"Seed version", text.encode(), hashlib.sha512).hexdigest()
        if version.startswith(ELECTRUM_SEGWIT) and not Mnemonic("english").check(text):
            return text
