"""``dhcp``: DHCP messages, their options, and the leases servers granted.

``options`` holds every option of every message, named as RFC 2132 names them, the
value as text (addresses dotted, lists comma separated, names as sent, other values in
hex), so a question about any option (vendor class 60, host name 12, requested
address 50, parameter list 55, client id 61, ...) is a query.
"""

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
            Field("vendor_class", "str", "option 60 (e.g. MSFT 5.0, android-dhcp-13)"),
            Field("client_id", "str", "option 61, hex"),
            Field("param_list", "str", "option 55: option codes asked for, comma separated"),
        ),
        "options": (
            Field("frame", "int", "frame"),
            Field("type", "str", "message type"),
            Field("client_mac", "str", "client hardware address"),
            Field("code", "int", "option code"),
            Field("name", "str", "option name (vendor_class, hostname, requested_ip, ...)"),
            Field("value", "str", "value as text (see the module docstring)"),
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
    version = "2"

    def setup(self) -> None:
        self.messages = self.new_table("messages")
        self.option_rows = self.new_table("options")
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
                "vendor_class": opts.get(60, b"").decode("latin-1"),
                "client_id": opts.get(61, b"").hex(),
                "param_list": ",".join(str(b) for b in opts.get(55, b"")),
            }
        )
        for code, value in opts.items():
            self.option_rows.append({"frame": p.frame, "type": mtype, "client_mac": mac,
                                 "code": code, "name": option_name(code),
                                 "value": option_text(code, value)})
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
        return {"messages": self.messages, "options": self.option_rows, "leases": self.leases}


_NAMES = {1: "subnet_mask", 3: "router", 6: "dns", 12: "hostname", 15: "domain_name",
          28: "broadcast", 42: "ntp", 43: "vendor_specific", 50: "requested_ip",
          51: "lease_time", 53: "message_type", 54: "server_id", 55: "param_list",
          57: "max_size", 58: "renewal_time", 59: "rebinding_time", 60: "vendor_class",
          61: "client_id", 66: "tftp_server", 67: "bootfile", 81: "client_fqdn",
          82: "relay_agent"}
_ADDRESSES = frozenset({1, 3, 6, 28, 42, 50, 54})
_TEXTS = frozenset({12, 15, 60, 66, 67})
_NUMBERS = frozenset({51, 57, 58, 59})


def option_name(code: int) -> str:
    """RFC 2132 name of an option, in the table's spelling; ``option_N`` otherwise."""
    return _NAMES.get(code, f"option_{code}")


def option_text(code: int, value: bytes) -> str:
    """An option's value as text, by the rules in the module docstring."""
    if code in _ADDRESSES and value and len(value) % 4 == 0:
        return ",".join(_ip(value[i : i + 4]) for i in range(0, len(value), 4))
    if code in _TEXTS:
        return value.decode("latin-1")
    if code in _NUMBERS or code == 53:
        return str(int.from_bytes(value, "big")) if value else ""
    if code == 55:
        return ",".join(str(b) for b in value)
    return value.hex()


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
