"""``ndp``: which MAC claimed each IPv6 address in neighbour discovery, and addresses claimed
by more than one MAC (neighbour-advertisement spoofing, the IPv6 form of ARP poisoning).

IPv6 has no ARP: a host learns a neighbour's MAC from neighbour advertisements (the target
address and its target link-layer address option) and from the source link-layer address
option of neighbour and router solicitations and router advertisements (RFC 4861).
Nothing authenticates them, so two MACs for one address is the mark of spoofing (or of a
failover pair).
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, mac_text
from runner.evidence.decode import PROTO_ICMP6, Pkt

_RS, _RA, _NS, _NA = 133, 134, 135, 136
_OPTIONS_AT = {_RS: 8, _RA: 16, _NS: 24, _NA: 24}  # where each message's options start
_UNSPECIFIED = bytes(16)


@register
class Ndp(Analyzer):
    """Claims "this IPv6 address is at this MAC" from RS, RA, NS and NA messages."""

    name = "ndp"
    description = "IPv6 neighbour discovery claims (address to MAC) and conflicts (spoofing)"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "claims": (
            Field("ip", "str", "IPv6 address claimed"),
            Field("mac", "str", "MAC claiming it (link-layer address option, else the "
                  "Ethernet source of an advertisement)"),
            Field("first_frame", "int", "first frame with this claim"),
            Field("last_frame", "int", "last frame with this claim"),
            Field("count", "int", "frames with this claim"),
            Field("adverts", "int", "of which neighbour advertisements"),
            Field("unsolicited", "int", "of which advertisements without the solicited flag"),
            Field("override", "int", "of which advertisements with the override flag"),
        ),
        "conflicts": (
            Field("ip", "str", "IPv6 address claimed by more than one MAC"),
            Field("macs", "str", "the claiming MACs in order of first claim, comma separated"),
            Field("mac_count", "int", "how many MACs claimed it"),
            Field("first_frame", "int", "frame of the first conflicting claim"),
            Field("spoofer", "str", "MAC of the later claimant (usually the attacker)"),
        ),
    }
    ip_protos = frozenset({PROTO_ICMP6})

    def setup(self) -> None:
        self.claims: dict[tuple[bytes, bytes], list[int]] = {}

    def on_ip(self, p: Pkt) -> None:
        data, l4, end = p.data, p.l4, p.end
        if p.ipv != 6 or l4 + 4 > end or data[l4] not in _OPTIONS_AT:
            return
        kind = data[l4]
        start = l4 + _OPTIONS_AT[kind]
        if start > end:
            self.warn(p.frame, "neighbour discovery message cut short")
            return
        wanted = 2 if kind == _NA else 1  # target or source link-layer address option
        mac = _option(data, start, end, wanted)
        if kind == _NA:
            address = data[l4 + 8:l4 + 24]
            if mac is None and p.l2 >= 0:
                mac = data[p.l2 + 6:p.l2 + 12]  # the option may be left out when solicited
            flags = data[l4 + 4]
        else:
            address, flags = p.src, -1
        if mac is None or address == _UNSPECIFIED:
            return  # duplicate address detection claims nothing yet
        stats = self.claims.setdefault((address, mac), [p.frame, p.frame, 0, 0, 0, 0])
        stats[1] = p.frame
        stats[2] += 1
        if flags >= 0:
            stats[3] += 1
            stats[4] += not flags & 0x40
            stats[5] += bool(flags & 0x20)

    def finish(self) -> Tables:
        claims = [
            {"ip": ip_text(ip), "mac": mac_text(mac), "first_frame": s[0], "last_frame": s[1],
             "count": s[2], "adverts": s[3], "unsolicited": s[4], "override": s[5]}
            for (ip, mac), s in self.claims.items()
        ]
        claims.sort(key=_first)
        by_ip: dict[str, list[Row]] = {}
        for row in claims:
            by_ip.setdefault(str(row["ip"]), []).append(row)
        conflicts = [
            {"ip": ip, "macs": ",".join(str(r["mac"]) for r in rows), "mac_count": len(rows),
             "first_frame": rows[1]["first_frame"], "spoofer": rows[1]["mac"]}
            for ip, rows in by_ip.items() if len(rows) > 1
        ]
        return {"claims": claims, "conflicts": sorted(conflicts, key=_first)}


def _option(data: bytes, at: int, end: int, wanted: int) -> bytes | None:
    """The MAC of the first link-layer address option of type ``wanted``."""
    while at + 8 <= end and data[at + 1]:
        if data[at] == wanted and data[at + 1] == 1:
            return data[at + 2:at + 8]
        at += data[at + 1] * 8
    return None


def _first(row: Row) -> int:
    return int(row["first_frame"])
