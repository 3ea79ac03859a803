"""Bitcoin addresses and txids: published test vectors, and agreement with an independent
library (python-bitcoinlib) on addresses, output scripts and transaction ids."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest
from bitcoin.core import CMutableTransaction, COutPoint, CTxIn, CTxOut, b2lx, lx
from bitcoin.wallet import CBitcoinAddress, CBitcoinAddressError
from mnemonic import Mnemonic

from runner.evidence.artifacts import bitcoin
from runner.generate.variables import bitcoin_value

# (type, hash160 hex, address): the genesis block's coinbase address, BIP 13's P2SH
# example and BIP 173's P2WPKH vector.
VECTORS = [
    ("p2pkh", "62e907b15cbf27d5425399ebf6f0fb50ebb88f18", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    ("p2sh", "b472a266d0bd89c13706a4132ccfb16f7c3b9fcb", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    ("p2wpkh", "751e76e8199196d454941c45d1b3a323f1433bd6",
     "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
]


@pytest.mark.parametrize(("kind", "hash160", "address"), VECTORS)
def test_published_vectors_encode_and_decode(kind: bitcoin.AddressType, hash160: str,
                                             address: str) -> None:
    assert bitcoin.encode(kind, bytes.fromhex(hash160)) == address
    assert bitcoin.decode(address) == bitcoin.Decoded(kind, bytes.fromhex(hash160))


@pytest.mark.parametrize("bad", [
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",            # last character changed: checksum
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",    # bech32 checksum
    "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",    # testnet, not a mainnet address
    "bc1zw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",    # witness version 2
    "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",            # testnet P2PKH version byte
    "", "not an address", "0OIl",
])
def test_damaged_and_foreign_addresses_decode_to_none(bad: str) -> None:
    assert bitcoin.decode(bad) is None


@pytest.mark.parametrize("kind", ["p2pkh", "p2sh", "p2wpkh"])
def test_drawn_addresses_are_valid_for_python_bitcoinlib(kind: str) -> None:
    rng = random.Random(13)
    for _ in range(200):
        address = bitcoin_value(rng, kind)
        parsed = CBitcoinAddress(address)  # raises on a bad checksum or version
        assert str(parsed) == address
        assert parsed.to_scriptPubKey() == bitcoin.script_pubkey(address)


def test_python_bitcoinlib_refuses_what_decode_refuses() -> None:
    with pytest.raises(CBitcoinAddressError):
        CBitcoinAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")


def test_a_drawn_zpub_has_a_valid_base58check_and_bip32_layout() -> None:
    import base58

    raw = base58.b58decode_check(bitcoin_value(random.Random(5), "zpub"))
    assert len(raw) == 78 and raw[:4] == bitcoin.ZPUB_VERSION and raw[4] == 3
    assert raw[45] in (2, 3)  # a compressed public key's prefix


def test_txid_agrees_with_python_bitcoinlib_serialisation() -> None:
    rng = random.Random(7)
    for _ in range(50):
        inputs = [(rng.randbytes(32).hex(), rng.randrange(4)) for _ in range(rng.randint(1, 4))]
        outputs = [(bitcoin_value(rng, rng.choice(["p2pkh", "p2sh", "p2wpkh"])),
                    rng.randint(546, 10**9)) for _ in range(rng.randint(1, 3))]
        locktime = rng.randint(0, 900_000)
        tx = CMutableTransaction(
            [CTxIn(COutPoint(lx(prev), index), nSequence=0xFFFFFFFD) for prev, index in inputs],
            [CTxOut(value, CBitcoinAddress(a).to_scriptPubKey()) for a, value in outputs],
            nLockTime=locktime, nVersion=2)
        assert bitcoin.txid(inputs, outputs, locktime) == b2lx(tx.GetTxid())


@pytest.mark.parametrize(("text", "sat"), [("0.5", 50_000_000), ("1.00000001", 100_000_001),
                                           ("21000000", 21 * 10**14), ("0.00000000", 0)])
def test_amounts_round_trip_in_satoshi(text: str, sat: int) -> None:
    assert bitcoin.satoshi(text) == sat
    assert bitcoin.satoshi(bitcoin.btc(sat)) == sat


@pytest.mark.parametrize("bad", ["-1", "0.000000001", "1,5", "", "1e3", ".5."])
def test_amounts_that_are_not_btc_decimals_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        bitcoin.satoshi(bad)


def test_electrum_seeds_are_segwit_seeds_that_bip39_would_refuse() -> None:
    # Electrum's own test vector (electrum/tests/test_mnemonic.py, 'english', segwit)
    vector = "wild father tree among universe such mobile favorite target dynamic credit identify"
    assert _seed_version(vector).startswith(bitcoin.ELECTRUM_SEGWIT)
    words = set(Mnemonic("english").wordlist)
    for seed in range(30):
        phrase = bitcoin_value(random.Random(seed), "electrum-seed")
        assert phrase == bitcoin_value(random.Random(seed), "electrum-seed")
        assert len(phrase.split()) == 12 and set(phrase.split()) <= words
        assert _seed_version(phrase).startswith("100")
        assert not Mnemonic("english").check(phrase)


def _seed_version(phrase: str) -> str:
    return hmac.new(b"Seed version", phrase.encode(), hashlib.sha512).hexdigest()
