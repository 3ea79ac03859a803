"""``endpoints``: every IP and MAC address with the packets and bytes it sent and received."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, mac_text

if TYPE_CHECKING:
    from runner.evidence.loop import Pairs

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
# Pair key length -> (MAC pair first?, length of one IP address): see ``pair_key``.
_PARTS = {
    0: (False, 0),
    12: (True, 0),
    8: (False, 4),
    20: (True, 4),
    32: (False, 16),
    44: (True, 16),
}


@register
class Endpoints(Analyzer):
    """Per address, from the loop's tally of packets and bytes per address pair."""

    name = "endpoints"
    description = "IP and MAC addresses: packets and bytes each way"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {"ip": _FIELDS, "mac": _FIELDS}
    wants_pairs = True

    def setup(self) -> None:
        self.pairs: Pairs = {}

    def on_pairs(self, pairs: Pairs) -> None:
        self.pairs = pairs

    def finish(self) -> Tables:
        ips: dict[bytes, list[int]] = {}
        macs: dict[bytes, list[int]] = {}
        for key, (packets, size, first) in self.pairs.items():
            has_macs, ip = _PARTS[len(key)]
            if has_macs:
                _add(macs, key[6:12], key[0:6], packets, size, first)
            if ip:
                at = 12 if has_macs else 0
                _add(ips, key[at : at + ip], key[at + ip :], packets, size, first)
        by_first = sorted(ips.items(), key=lambda item: item[1][4])
        macs_first = sorted(macs.items(), key=lambda item: item[1][4])
        return {
            "ip": [_row(ip_text(a), c) for a, c in by_first],
            "mac": [_row(mac_text(a), c) for a, c in macs_first],
        }


def _add(
    table: dict[bytes, list[int]], src: bytes, dst: bytes, n: int, size: int, first: int
) -> None:
    """Count a pair's packets and bytes as sent by ``src`` and received by ``dst``."""
    counts = table.get(src)
    if counts is None:
        table[src] = [n, size, 0, 0, first]
    else:
        counts[0] += n
        counts[1] += size
        counts[4] = min(counts[4], first)
    counts = table.get(dst)
    if counts is None:
        table[dst] = [0, 0, n, size, first]
    else:
        counts[2] += n
        counts[3] += size
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
