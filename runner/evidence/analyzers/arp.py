"""``arp``: which MAC address claimed each IP, and IPs claimed by more than one (spoofing)."""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, mac_text
from runner.evidence.decode import ET_ARP, Pkt

_ZERO_IP = b"\x00\x00\x00\x00"


@register
class Arp(Analyzer):
    """Each ARP sender claims "this IP is at this MAC"; two MACs for one IP is poisoning."""

    name = "arp"
    description = "ARP claims (IP to MAC) and conflicting claims (spoofing)"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "claims": (
            Field("ip", "str", "IPv4 address claimed"),
            Field("mac", "str", "MAC address claiming it (ARP sender hardware address)"),
            Field("first_frame", "int", "first ARP frame with this claim"),
            Field("last_frame", "int", "last ARP frame with this claim"),
            Field("count", "int", "ARP frames with this claim"),
            Field("replies", "int", "of which ARP replies"),
            Field("gratuitous", "int", "of which gratuitous (sender IP = target IP)"),
        ),
        "conflicts": (
            Field("ip", "str", "IPv4 address claimed by more than one MAC"),
            Field("macs", "str", "the claiming MACs in order of first claim, comma separated"),
            Field("mac_count", "int", "how many MACs claimed it"),
            Field("first_frame", "int", "frame of the first conflicting claim"),
            Field("spoofer", "str", "MAC of the later claimant (usually the attacker)"),
        ),
        "multi_ip_macs": (
            Field("mac", "str", "MAC address claiming more than one IP"),
            Field("ips", "str", "the IPs it claimed, in order of first claim, comma separated"),
            Field("ip_count", "int", "how many IPs it claimed"),
            Field("first_frame", "int", "frame of its second claim"),
        ),
        "packets": (
            Field("frame", "int", "frame"),
            Field("op", "str", "request or reply"),
            Field("sender_mac", "str", "sender hardware address"),
            Field("sender_ip", "str", "sender protocol address"),
            Field("target_mac", "str", "target hardware address"),
            Field("target_ip", "str", "target protocol address"),
        ),
    }
    ether_types = frozenset({ET_ARP})

    def setup(self) -> None:
        self.claims: dict[tuple[bytes, bytes], list[int]] = {}
        self.packets = self.new_table("packets")

    def on_frame(self, p: Pkt) -> None:
        arp = p.data[p.l3 : p.l3 + 28]
        if len(arp) < 28 or arp[4] != 6 or arp[5] != 4:
            self.warn(p.frame, "ARP packet cut short or not Ethernet/IPv4")
            return
        op = arp[6] << 8 | arp[7]
        sha, spa, tha, tpa = arp[8:14], arp[14:18], arp[18:24], arp[24:28]
        self.packets.append(
            {
                "frame": p.frame,
                "op": {1: "request", 2: "reply"}.get(op, str(op)),
                "sender_mac": mac_text(sha),
                "sender_ip": ip_text(spa),
                "target_mac": mac_text(tha),
                "target_ip": ip_text(tpa),
            }
        )
        if spa == _ZERO_IP:
            return  # an address probe (RFC 5227) claims nothing
        stats = self.claims.setdefault((spa, sha), [p.frame, p.frame, 0, 0, 0])
        stats[1] = p.frame
        stats[2] += 1
        stats[3] += op == 2
        stats[4] += spa == tpa

    def finish(self) -> Tables:
        claims = [
            {
                "ip": ip_text(ip),
                "mac": mac_text(mac),
                "first_frame": s[0],
                "last_frame": s[1],
                "count": s[2],
                "replies": s[3],
                "gratuitous": s[4],
            }
            for (ip, mac), s in self.claims.items()
        ]
        by_ip: dict[str, list[Row]] = {}
        for row in sorted(claims, key=_first):
            by_ip.setdefault(str(row["ip"]), []).append(row)
        conflicts = [
            {
                "ip": ip,
                "macs": ",".join(str(r["mac"]) for r in rows),
                "mac_count": len(rows),
                "first_frame": rows[1]["first_frame"],
                "spoofer": rows[1]["mac"],
            }
            for ip, rows in by_ip.items()
            if len(rows) > 1
        ]
        return {
            "claims": sorted(claims, key=_first),
            "conflicts": sorted(conflicts, key=_first),
            "multi_ip_macs": _multi_ip(claims),
            "packets": self.packets,
        }


def _multi_ip(claims: list[Row]) -> list[Row]:
    """A MAC answering for several IPs: a poisoner posing as the gateway, or proxy ARP."""
    by_mac: dict[str, list[Row]] = {}
    for row in sorted(claims, key=_first):
        by_mac.setdefault(str(row["mac"]), []).append(row)
    return [
        {
            "mac": mac,
            "ips": ",".join(str(r["ip"]) for r in rows),
            "ip_count": len(rows),
            "first_frame": rows[1]["first_frame"],
        }
        for mac, rows in by_mac.items()
        if len(rows) > 1
    ]


def _first(row: Row) -> int:
    return int(row["first_frame"])
