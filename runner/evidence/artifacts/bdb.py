"""Read-only reader of Berkeley DB B-tree files (the format of Bitcoin Core's wallet.dat).

No maintained PyPI package reads Berkeley DB without the C library (berkeleydb and
bsddb3 build against libdb headers and ship no wheel), so this module walks the pages
itself: the meta page, the master tree naming the sub-databases, internal pages down
to the leaves, and overflow chains. It only reads; Debian's ``db_dump`` (db-util) is
the test oracle (tests/evidence/files/test_artifacts.py). Layout: Berkeley DB's
``dbinc/db_page.h`` (PAGE header 26 bytes, BKEYDATA, BOVERFLOW, BINTERNAL).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

BTREE_MAGIC = 0x053162
HEADER = 26  # lsn 8, pgno 4, prev 4, next 4, entries 2, hf_offset 2, level 1, type 1
P_IBTREE, P_LBTREE, P_OVERFLOW, P_BTREEMETA = 3, 5, 7, 9
B_KEYDATA, B_OVERFLOW = 1, 3
ROOT_AT = 88  # BTMETA.root: after the 72-byte DBMETA and four 32-bit fields

Pair = tuple[bytes, bytes]


class BdbError(Exception):
    """The file is not a Berkeley DB B-tree, or a page it needs is unreadable."""


class BTree:
    """The pages of one B-tree file, with ``warn`` told of damage skipped part way."""

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        self.data = path.read_bytes()
        self.warn = warn
        if len(self.data) < 512:
            raise BdbError(f"{len(self.data)} bytes: too short for a Berkeley DB file")
        for order in ("<", ">"):
            magic, _, size = struct.unpack_from(order + "III", self.data, 12)
            if magic == BTREE_MAGIC:
                self.order, self.page_size = order, size
                break
        else:
            raise BdbError("no Berkeley DB B-tree magic (0x053162) at offset 12")
        if self.page_size < 512 or self.page_size & (self.page_size - 1):
            raise BdbError(f"page size {self.page_size} is not a power of two >= 512")

    def databases(self) -> dict[str, list[Pair]]:
        """Every sub-database by name (or '' for a file holding one) with its pairs."""
        master = self._tree(self._root(0))
        # the master tree maps each name to its meta page, stored big-endian (DB_NTOHL)
        subs = {k.decode("utf-8", "replace"): int.from_bytes(v, "big")
                for k, v in master if len(v) == 4}
        if not subs or any(self._type(pgno) != P_BTREEMETA for pgno in subs.values()):
            return {"": master}
        return {name: self._tree(self._root(pgno)) for name, pgno in subs.items()}

    def _u32(self, raw: bytes) -> int:
        value: int = struct.unpack(self.order + "I", raw)[0]
        return value

    def _page(self, pgno: int) -> bytes:
        start = pgno * self.page_size
        if pgno < 0 or start + self.page_size > len(self.data):
            raise BdbError(f"page {pgno} lies beyond the end of the file "
                           f"({len(self.data)} bytes): it is cut short")
        return self.data[start:start + self.page_size]

    def _type(self, pgno: int) -> int:
        try:
            return self._page(pgno)[25]
        except BdbError:
            return -1

    def _root(self, meta: int) -> int:
        page = self._page(meta)
        if page[25] != P_BTREEMETA:
            raise BdbError(f"page {meta} is not a B-tree meta page (type {page[25]})")
        return self._u32(page[ROOT_AT:ROOT_AT + 4])

    def _tree(self, root: int) -> list[Pair]:
        items: list[bytes] = []
        stack, seen = [root], set()
        while stack:
            pgno = stack.pop()
            if pgno in seen:
                self.warn(f"page {pgno} is reached twice: loop in the tree, skipped")
                continue
            seen.add(pgno)
            try:
                children = self._visit(pgno, items)
            except (BdbError, struct.error) as exc:
                self.warn(f"offset {pgno * self.page_size}: page {pgno} skipped: {exc}")
                continue
            stack.extend(reversed(children))
        if len(items) % 2:
            self.warn("a key without its data at the end of the tree: dropped")
        return list(zip(items[0::2], items[1::2], strict=False))

    def _visit(self, pgno: int, items: list[bytes]) -> list[int]:
        page = self._page(pgno)
        count, kind = struct.unpack_from(self.order + "H", page, 20)[0], page[25]
        offsets = struct.unpack_from(self.order + f"{count}H", page, HEADER)
        if kind == P_IBTREE:  # BINTERNAL: len 2, type 1, unused 1, pgno 4, nrecs 4
            return [self._u32(page[o + 4:o + 8]) for o in offsets]
        if kind != P_LBTREE:
            raise BdbError(f"unexpected page type {kind} in the tree")
        for o in offsets:
            (length,), kind_item = struct.unpack_from(self.order + "H", page, o), page[o + 2]
            if kind_item & 0x7F == B_OVERFLOW:  # BOVERFLOW: pgno at +4, total length at +8
                items.append(self._overflow(self._u32(page[o + 4:o + 8]),
                                            self._u32(page[o + 8:o + 12])))
            elif kind_item & 0x7F == B_KEYDATA:
                items.append(page[o + 3:o + 3 + length])
            else:
                raise BdbError(f"item type {kind_item} (duplicates) is not supported")
        return []

    def _overflow(self, pgno: int, total: int) -> bytes:
        out = bytearray()
        seen: set[int] = set()
        while pgno and len(out) < total and pgno not in seen:
            seen.add(pgno)
            page = self._page(pgno)
            used = struct.unpack_from(self.order + "H", page, 22)[0]  # hf_offset: bytes here
            out += page[HEADER:HEADER + used]
            pgno = self._u32(page[16:20])
        if len(out) != total:
            raise BdbError(f"overflow item: {len(out)} of {total} bytes readable")
        return bytes(out)
