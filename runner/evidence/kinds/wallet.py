"""Bitcoin Core wallets (wallet.dat): a Berkeley DB B-tree holding wallet records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register

BTREE_MAGICS = (b"\x62\x31\x05\x00", b"\x00\x05\x31\x62")  # 0x053162, either byte order
# Record types are stored as length-prefixed strings in the keys: a wallet has some
RECORDS = (b"\x04name", b"\x04ckey", b"\x03key", b"\x04mkey", b"\x07version",
           b"\x04pool", b"\x0aminversion", b"\x0adefaultkey", b"\x07keymeta")


@register
class WalletKind(EvidenceKind):
    name = "wallet"
    description = "Bitcoin Core wallet.dat (Berkeley DB): records, address book, encryption"
    priority = 30  # Berkeley DB magic plus wallet record names

    def probe(self, head: Head) -> bool:
        if not any(head.at(12, magic) for magic in BTREE_MAGICS):
            return False
        return sum(record in head.data for record in RECORDS) >= 2

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        yield Path(path)
