"""``dhcp``: DHCP messages and the leases servers granted (client MAC, address, lease time)."""

from __future__ import annotations

import socket
from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time, mac_text
from runner.evidence.decode import Pkt

_TYPES = {
    1: "DISCOVER",
    2: "OFFER",
    3: "REQUEST",
    4: "DECLINE",
    5: "ACK",
    6: "NAK",
    7: "RELEASE",
    8: "INFORM",
}
_MAGIC = b"\x63\x82\x53\x63"


@register
class Dhcp(Analyzer):
    """DHCPv4 on UDP ports 67/68; a lease is a server's ACK to a client."""

    name = "dhcp"
    description = "DHCP messages and leases: client MAC, address, server, lease time"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "messages": (
            Field("frame", "int", "frame"),
            Field("time", "str", "UTC time"),
            Field("type", "str", "DISCOVER, OFFER, REQUEST, ACK, NAK, ..."),
            Field("client_mac", "str", "client hardware address (chaddr)"),
            Field("xid", "str", "transaction id, hex"),
            Field("client_ip", "str", "ciaddr"),
            Field("your_ip", "str", "yiaddr: address offered or assigned"),
            Field("requested_ip", "str", "option 50"),
            Field("server", "str", "server identifier (option 54)"),
            Field("hostname", "str", "option 12"),
        ),
        "leases": (
            Field("frame", "int", "frame of the ACK"),
            Field("time", "str", "UTC time of the ACK"),
            Field("client_mac", "str", "client hardware address"),
            Field("address", "str", "address leased"),
            Field("server", "str", "DHCP server"),
            Field("lease_time", "int", "seconds (option 51), -1 when absent"),
            Field("router", "str", "default gateway (option 3)"),
            Field("dns", "str", "DNS servers (option 6), comma separated"),
            Field("hostname", "str", "client host name from its messages"),
        ),
    }
    udp_ports = frozenset({67, 68})

    def setup(self) -> None:
        self.messages = self.new_table("messages")
        self.leases = self.new_table("leases")
        self.hostnames: dict[str, str] = {}

    def on_udp(self, p: Pkt) -> None:
        msg = p.data[p.pl : p.end]
        if len(msg) < 240 or msg[236:240] != _MAGIC:
            self.warn(p.frame, "not a readable DHCP message")
            return
        opts = _options(msg[240:])
        mtype = _TYPES.get(opts[53][0], "UNKNOWN") if opts.get(53) else "BOOTP"
        mac = mac_text(msg[28:34])
        hostname = opts.get(12, b"").decode("latin-1")
        if hostname:
            self.hostnames[mac] = hostname
        server = _ip(opts.get(54, b"")) or (ip_text(p.src) if msg[0] == 2 else "")
        self.messages.append(
            {
                "frame": p.frame,
                "time": iso_time(p.ts),
                "type": mtype,
                "client_mac": mac,
                "xid": msg[4:8].hex(),
                "client_ip": ip_text(msg[12:16]),
                "your_ip": ip_text(msg[16:20]),
                "requested_ip": _ip(opts.get(50, b"")),
                "server": server,
                "hostname": hostname,
            }
        )
        if mtype == "ACK" and msg[16:20] != bytes(4):
            lease = opts.get(51, b"")
            dns = opts.get(6, b"")
            self.leases.append(
                {
                    "frame": p.frame,
                    "time": iso_time(p.ts),
                    "client_mac": mac,
                    "address": ip_text(msg[16:20]),
                    "server": server,
                    "lease_time": int.from_bytes(lease, "big") if len(lease) == 4 else -1,
                    "router": _ip(opts.get(3, b"")[:4]),
                    "dns": ",".join(_ip(dns[i : i + 4]) for i in range(0, len(dns) - 3, 4)),
                    "hostname": self.hostnames.get(mac, ""),
                }
            )

    def finish(self) -> Tables:
        return {"messages": self.messages, "leases": self.leases}


def _ip(raw: bytes) -> str:
    return socket.inet_ntoa(raw) if len(raw) == 4 else ""


def _options(data: bytes) -> dict[int, bytes]:
    """DHCP options (RFC 2132): code, length, value; pad 0 and end 255."""
    out: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        size = data[i + 1]
        out.setdefault(code, data[i + 2 : i + 2 + size])
        i += 2 + size
    return out
