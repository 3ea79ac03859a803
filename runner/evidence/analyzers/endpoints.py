"""``endpoints``: every IP and MAC address with the packets and bytes it sent and received."""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, mac_text
from runner.evidence.decode import Pkt

_FIELDS = (
    Field("address", "str", "IP address (ip table) or MAC address (mac table)"),
    Field("packets", "int", "frames sent plus received"),
    Field("bytes", "int", "wire bytes sent plus received"),
    Field("packets_sent", "int", "frames with this address as source"),
    Field("bytes_sent", "int", "wire bytes with this address as source"),
    Field("packets_received", "int", "frames with this address as destination"),
    Field("bytes_received", "int", "wire bytes with this address as destination"),
    Field("first_frame", "int", "first frame naming the address"),
)


@register
class Endpoints(Analyzer):
    """Counts per address pair during the pass; per address at the end (cheaper per packet)."""

    name = "endpoints"
    description = "IP and MAC addresses: packets and bytes each way"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {"ip": _FIELDS, "mac": _FIELDS}
    wants_all = True

    def setup(self) -> None:
        # (mac pair or None, src ip or None, dst ip or None) -> [packets, bytes, first frame]
        self.pairs: dict[tuple[bytes | None, bytes | None, bytes | None], list[int]] = {}

    def on_packet(self, p: Pkt) -> None:
        l2 = p.l2
        macs = p.data[l2 : l2 + 12] if l2 >= 0 else None
        key = (macs, p.src, p.dst) if p.ipv else (macs, None, None)
        counts = self.pairs.get(key)
        if counts is None:
            self.pairs[key] = [1, p.wirelen, p.frame]
        else:
            counts[0] += 1
            counts[1] += p.wirelen

    def finish(self) -> Tables:
        ips: dict[bytes, list[int]] = {}
        macs: dict[bytes, list[int]] = {}
        for (pair, src, dst), (packets, size, first) in self.pairs.items():
            if pair is not None:
                _add(macs, pair[6:12], pair[0:6], packets, size, first)
            if src is not None and dst is not None:
                _add(ips, src, dst, packets, size, first)
        by_first = sorted(ips.items(), key=lambda item: item[1][4])
        macs_first = sorted(macs.items(), key=lambda item: item[1][4])
        return {
            "ip": [_row(ip_text(a), c) for a, c in by_first],
            "mac": [_row(mac_text(a), c) for a, c in macs_first],
        }


def _add(
    table: dict[bytes, list[int]], src: bytes, dst: bytes, n: int, size: int, first: int
) -> None:
    for address, offset in ((src, 0), (dst, 2)):
        counts = table.setdefault(address, [0, 0, 0, 0, first])
        counts[offset] += n
        counts[offset + 1] += size
        counts[4] = min(counts[4], first)


def _row(address: str, c: list[int]) -> Row:
    return {
        "address": address,
        "packets": c[0] + c[2],
        "bytes": c[1] + c[3],
        "packets_sent": c[0],
        "bytes_sent": c[1],
        "packets_received": c[2],
        "bytes_received": c[3],
        "first_frame": c[4],
    }
