"""``packets`` (on demand): one row per TCP packet with its flags, TTL and window.

So "the SYN-only frames" is a query: ``{from: packets.tcp, where: {flags: SYN},
select: frame, pick: all}``. On demand: a row per packet would slow every pass, so
it runs only for a query on its table or ``dflab facts --only packets``.
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.decode import PROTO_TCP, Pkt

# Flag names in the order tshark prints them (tcp.flags.str reversed to read left-right).
FLAG_NAMES = (("CWR", 0x80), ("ECE", 0x40), ("URG", 0x20), ("ACK", 0x10), ("PSH", 0x08),
              ("RST", 0x04), ("SYN", 0x02), ("FIN", 0x01))
_TEXT = {
    bits: ",".join(name for name, bit in reversed(FLAG_NAMES) if bits & bit) or "none"
    for bits in range(256)
}


def flags_text(bits: int) -> str:
    """The set flags of a TCP flags byte, low bit first: ``SYN,ACK``; ``none`` for none."""
    return _TEXT[bits & 0xFF]


def ttl_of(p: Pkt) -> int:
    """IPv4 TTL or IPv6 hop limit of a decoded IP packet."""
    return p.data[p.l3 + (8 if p.ipv == 4 else 7)]


@register
class Packets(Analyzer):
    """Every TCP segment: addresses, ports, flags (text and one column per flag), TTL."""

    name = "packets"
    on_demand = True
    description = "per-packet TCP flags, TTL and window (on demand)"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "tcp": (
            Field("frame", "int", "frame"),
            Field("time", "str", "UTC time"),
            Field("src", "str", "sender"),
            Field("dst", "str", "receiver"),
            Field("src_port", "int", "sender's port"),
            Field("dst_port", "int", "receiver's port"),
            Field("flags", "str", "set flags low bit first, comma separated: SYN / SYN,ACK / "
                  "FIN,PSH,URG / none"),
            Field("syn", "bool", "SYN set"),
            Field("ack", "bool", "ACK set"),
            Field("fin", "bool", "FIN set"),
            Field("rst", "bool", "RST set"),
            Field("psh", "bool", "PSH set"),
            Field("urg", "bool", "URG set"),
            Field("seq", "int", "raw sequence number"),
            Field("window", "int", "window field as sent (tcp.window_size_value)"),
            Field("ttl", "int", "IPv4 TTL or IPv6 hop limit"),
            Field("length", "int", "TCP payload bytes (tcp.len)"),
        ),
    }
    ip_protos = frozenset({PROTO_TCP})

    def setup(self) -> None:
        self.rows = self.new_table("tcp")

    def on_ip(self, p: Pkt) -> None:
        if p.sport < 0:
            return  # a later fragment, or a cut header (the engine warns)
        bits = p.flags
        data, l4 = p.data, p.l4
        self.rows.append({
            "frame": p.frame, "time": iso_time(p.ts), "src": ip_text(p.src),
            "dst": ip_text(p.dst), "src_port": p.sport, "dst_port": p.dport,
            "flags": _TEXT[bits], "syn": bool(bits & 2), "ack": bool(bits & 0x10),
            "fin": bool(bits & 1), "rst": bool(bits & 4), "psh": bool(bits & 8),
            "urg": bool(bits & 0x20), "seq": p.seq,
            "window": data[l4 + 14] << 8 | data[l4 + 15], "ttl": ttl_of(p),
            "length": max(p.end - p.pl, 0),
        })

    def finish(self) -> Tables:
        return {"tcp": self.rows}
