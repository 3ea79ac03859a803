"""Bitcoin Core wallet.dat: record counts by type, address book, master keys, key pool.

Private key material is never read into a table: ``key``/``ckey``/``wkey`` records are
only counted, a master key shows its salt, method and iterations, not the key.
"""

from __future__ import annotations

import struct
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from runner.errors import EvidenceError
from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.bdb import BdbError, BTree

KEY_TYPES = ("key", "ckey", "wkey")


@register
class WalletAnalyzer(KindAnalyzer):
    name = "wallet"
    version = "1"
    description = "Bitcoin Core wallets: records by type, address book, encryption, key pool"
    kinds = frozenset({"wallet"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "info": (
            Field("records", "int", "wallet records (key/value pairs) in the 'main' database"),
            Field("encrypted", "bool", "private keys are encrypted (an mkey record exists)"),
            Field("keys", "int", "private key records (key, ckey, wkey); never shown"),
            Field("key_pool", "int", "pre-generated keys in the key pool (pool records)"),
            Field("addresses", "int", "address-book entries"),
            Field("version", "int", "wallet version (version record; -1 if none)"),
            Field("min_version", "int", "minimum client version (minversion; -1 if none)"),
        ),
        "records": (
            Field("type", "str", "record type (name, purpose, ckey, pool, mkey, ...)"),
            Field("count", "int", "records of that type"),
        ),
        "address_book": (
            Field("address", "str", "Bitcoin address"),
            Field("label", "str", "label given to it ('' for none)"),
            Field("purpose", "str", "receive or send ('' if no purpose record)"),
        ),
        "master_keys": (
            Field("id", "int", "master key id"),
            Field("encrypted_key_length", "int", "length of the encrypted master key (bytes)"),
            Field("salt", "str", "salt, hex"),
            Field("derivation_method", "int", "0: SHA-512 key derivation"),
            Field("iterations", "int", "derivation rounds"),
        ),
    }

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        path: Path = source
        try:
            dbs = BTree(path, lambda m: self.note(m, where=str(path))).databases()
        except (BdbError, OSError) as exc:
            raise EvidenceError(f"not a readable Berkeley DB wallet: {exc}",
                                where=str(path)) from None
        pairs = dbs.get("main", dbs.get("", []))
        types: Counter[str] = Counter()
        names: dict[str, str] = {}
        purposes: dict[str, str] = {}
        versions = {"version": -1, "minversion": -1}
        for key, value in pairs:
            try:
                kind, rest = _string(key, 0)
                types[kind] += 1
                self._record(kind, key[rest:], value, names, purposes, versions)
            except (ValueError, struct.error) as exc:
                self.note(f"record {key[:24].hex()}: {exc}", where=str(path))
        self._fill(len(pairs), types, names, purposes, versions)

    def _record(self, kind: str, key: bytes, value: bytes, names: dict[str, str],
                purposes: dict[str, str], versions: dict[str, int]) -> None:
        if kind in ("name", "purpose"):
            book = names if kind == "name" else purposes
            book[_string(key, 0)[0]] = _string(value, 0)[0]
        elif kind in versions:
            versions[kind] = struct.unpack_from("<i", value)[0]
        elif kind == "mkey":
            crypted, at = _vector(value, 0)
            salt, at = _vector(value, at)
            method, rounds = struct.unpack_from("<II", value, at)
            self.rows["master_keys"].append({
                "id": struct.unpack_from("<I", key)[0], "encrypted_key_length": len(crypted),
                "salt": salt.hex(), "derivation_method": method, "iterations": rounds,
            })

    def _fill(self, total: int, types: Counter[str], names: dict[str, str],
              purposes: dict[str, str], versions: dict[str, int]) -> None:
        for address in sorted(names.keys() | purposes.keys()):
            self.rows["address_book"].append({"address": address,
                                              "label": names.get(address, ""),
                                              "purpose": purposes.get(address, "")})
        for kind, count in sorted(types.items()):
            self.rows["records"].append({"type": kind, "count": count})
        self.rows["info"].append({
            "records": total, "encrypted": types["mkey"] > 0,
            "keys": sum(types[t] for t in KEY_TYPES), "key_pool": types["pool"],
            "addresses": len(self.rows["address_book"]), "version": versions["version"],
            "min_version": versions["minversion"],
        })

    def finish(self) -> Tables:
        return dict(self.rows)


def _compact(data: bytes, at: int) -> tuple[int, int]:
    """Bitcoin's CompactSize length prefix: (value, offset after it)."""
    if at >= len(data):
        raise ValueError("record ends before a length")
    first = data[at]
    if first < 0xFD:
        return first, at + 1
    width = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
    return int.from_bytes(data[at + 1:at + 1 + width], "little"), at + 1 + width


def _vector(data: bytes, at: int) -> tuple[bytes, int]:
    length, at = _compact(data, at)
    if at + length > len(data):
        raise ValueError(f"a {length}-byte field runs past the record's end")
    return data[at:at + length], at + length


def _string(data: bytes, at: int) -> tuple[str, int]:
    raw, end = _vector(data, at)
    return raw.decode("utf-8", "replace"), end
