"""Frame templates: Ethernet + IPv4 or IPv6 headers built once per sender with scapy, then
patched per packet (addresses, length, identification, checksum), plus UDP, ICMP/ICMPv6
and ARP frames.

Patching a template is an order of magnitude faster than scapy's layer-by-layer build;
``tests/generate/test_wire.py`` builds the same packets with scapy as the oracle.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from functools import lru_cache

from scapy.layers.inet import IP
from scapy.layers.inet6 import (
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
)
from scapy.layers.l2 import Ether

from runner.generate.wire.checksum import checksum, fold, ones_sum

PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMP6 = 1, 6, 17, 58
_IP = struct.Struct("!2sHH4sH8s")
_IP6 = struct.Struct("!4sH2s32s")
_ICMP6 = {(8, 0): (128, 0), (0, 0): (129, 0), (3, 3): (1, 4)}


@dataclass(frozen=True)
class Node:
    """What the wire needs of a host: addresses and its OS fingerprint."""

    ip: str
    mac: str
    ttl: int = 64
    window: int = 64240


class IpPath:
    """Frames from ``src`` to ``dst``: Ethernet and IPv4 header built once, patched per packet.

    The identification field counts up per path from a seeded start, as most stacks do
    per destination.
    """

    def __init__(self, src: Node, dst: Node, proto: int, ident: int = 1, *, df: bool = True,
                 ttl: int | None = None) -> None:
        self.v6 = ":" in src.ip
        if self.v6 != (":" in dst.ip):
            raise ValueError(f"{src.ip} and {dst.ip} cannot talk: one is IPv6, the other IPv4; "
                             "give both hosts addresses of one family")
        self.proto = proto
        self.ident = ident & 0xFFFF
        if self.v6:
            self._init6(src, dst, ttl or src.ttl)
            return
        built = _template(src.mac, src.ip, proto, ttl or src.ttl, df)
        self.eth = mac_bytes(dst.mac) + built[6:14]
        self.ip = bytearray(built[14:34])
        self.ip[16:20] = socket.inet_aton(dst.ip)
        self.ip[2:6], self.ip[10:12] = bytes(4), bytes(2)
        # the header's sum without length, identification and checksum: those are added
        # per packet as numbers, so no header is summed twice
        self.base = ones_sum(bytes(self.ip))
        self.first, self.middle, self.addresses = (bytes(self.ip[:2]), bytes(self.ip[6:10]),
                                                   bytes(self.ip[12:20]))
        # the pseudo-header's sum without the length, added per packet
        self.pseudo_sum = ones_sum(self.addresses + bytes([0, proto]))

    def _init6(self, src: Node, dst: Node, hlim: int) -> None:
        nxt = PROTO_ICMP6 if self.proto == PROTO_ICMP else self.proto
        built = _template6(src.mac, src.ip, nxt, hlim)
        self.eth = mac_bytes(dst.mac) + built[6:14]
        self.first, self.middle = built[14:18], built[20:22]
        self.addresses = built[22:38] + socket.inet_pton(socket.AF_INET6, dst.ip)
        self.pseudo_sum = ones_sum(self.addresses) + nxt  # RFC 8200 8.1, length added later

    def frame(self, l4: bytes, payload: bytes = b"") -> bytes:
        """One frame carrying ``l4`` (a checksummed transport header, or all of it) and
        ``payload`` after it."""
        if self.v6:
            head = _IP6.pack(self.first, len(l4) + len(payload), self.middle, self.addresses)
            return b"".join((self.eth, head, l4, payload))
        total = 20 + len(l4) + len(payload)
        value = 0xFFFF - fold(self.base + total + self.ident)
        head = _IP.pack(self.first, total, self.ident, self.middle, value, self.addresses)
        self.ident = (self.ident + 1) & 0xFFFF
        return b"".join((self.eth, head, l4, payload))

    def checksum(self, length: int, *parts: bytes | bytearray) -> int:
        """The TCP/UDP/ICMPv6 checksum of ``parts`` (``length`` bytes, checksum field zero,
        every part but the last of even length) under this path's pseudo-header."""
        return 0xFFFF - fold(self.pseudo_sum + length + sum(ones_sum(p) for p in parts))

    def icmp(self, kind: int, code: int, ident: int, seq: int, payload: bytes) -> bytes:
        """An ICMP message given in ICMPv4 terms (8/0 echo, 3/3 port unreachable), written
        as ICMPv6 (128/129, 1/4, checksum over the pseudo-header) on an IPv6 path."""
        if not self.v6:
            return icmp_message(kind, code, ident, seq, payload)
        kind, code = _ICMP6.get((kind, code), (kind, code))
        head = struct.pack("!BBHHH", kind, code, 0, ident, seq)
        value = self.checksum(len(head) + len(payload), head, payload)
        return head[:2] + struct.pack("!H", value) + head[4:] + payload


@lru_cache(maxsize=4096)
def _template(src_mac: str, src_ip: str, proto: int, ttl: int, df: bool) -> bytes:
    """Ethernet + IPv4 header bytes as scapy builds them for one sender (cached: a capture
    reuses its hosts); the destination MAC and address are patched in per path."""
    return bytes(Ether(src=src_mac, dst="00:00:00:00:00:00") / IP(
        src=src_ip, dst="0.0.0.0", proto=proto, ttl=ttl, id=0, flags="DF" if df else 0))


@lru_cache(maxsize=4096)
def _template6(src_mac: str, src_ip: str, nxt: int, hlim: int) -> bytes:
    """Ethernet + IPv6 header bytes as scapy builds them for one sender."""
    return bytes(Ether(src=src_mac, dst="00:00:00:00:00:00") / IPv6(
        src=src_ip, dst="::", nh=nxt, hlim=hlim, plen=0))


def udp_segment(path: IpPath, sport: int, dport: int, payload: bytes) -> bytes:
    """A UDP header and payload with its checksum (a computed zero is sent as 0xFFFF)."""
    length = 8 + len(payload)
    head = struct.pack("!HHHH", sport, dport, length, 0)
    value = path.checksum(length, head, payload) or 0xFFFF
    return head[:6] + struct.pack("!H", value) + payload


def icmp_message(kind: int, code: int, ident: int, seq: int, payload: bytes) -> bytes:
    """An ICMP echo-style message (type, code, identifier, sequence) with its checksum."""
    head = struct.pack("!BBHHH", kind, code, 0, ident, seq)
    value = checksum(head + payload)
    return head[:2] + struct.pack("!H", value) + head[4:] + payload


def arp_frame(op: int, src_mac: str, src_ip: str, dst_mac: str, dst_ip: str,
              eth_dst: str | None = None) -> bytes:
    """An ARP request (op 1, to broadcast) or reply (op 2), padded to 60 bytes as sent."""
    target = "00:00:00:00:00:00" if op == 1 else dst_mac
    eth = mac_bytes(eth_dst or ("ff:ff:ff:ff:ff:ff" if op == 1 else dst_mac))
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, mac_bytes(src_mac),
                       socket.inet_aton(src_ip), mac_bytes(target), socket.inet_aton(dst_ip))
    frame = eth + mac_bytes(src_mac) + b"\x08\x06" + body
    return frame + b"\x00" * (60 - len(frame))


def neighbour_solicitation(src_mac: str, src_ip: str, target: str) -> bytes:
    """An IPv6 neighbour solicitation (RFC 4861) for ``target``, sent to its solicited-node
    group (ff02::1:ffXX:XXXX, on Ethernet 33:33:ff:XX:XX:XX), built with scapy."""
    low = socket.inet_pton(socket.AF_INET6, target)[13:]
    group = "ff02::1:ff" + f"{low[0]:02x}:{low[1]:02x}{low[2]:02x}"
    return bytes(Ether(src=src_mac, dst="33:33:ff:" + ":".join(f"{b:02x}" for b in low))
                 / IPv6(src=src_ip, dst=group, hlim=255) / ICMPv6ND_NS(tgt=target)
                 / ICMPv6NDOptSrcLLAddr(lladdr=src_mac))


def neighbour_advertisement(src_mac: str, src_ip: str, dst_mac: str, dst_ip: str, target: str,
                            lladdr: str, *, router: bool, solicited: bool) -> bytes:
    """An IPv6 neighbour advertisement: "``target`` is at ``lladdr``", override flag set,
    hop limit 255 as receivers require, built with scapy."""
    return bytes(Ether(src=src_mac, dst=dst_mac) / IPv6(src=src_ip, dst=dst_ip, hlim=255)
                 / ICMPv6ND_NA(tgt=target, R=int(router), S=int(solicited), O=1)
                 / ICMPv6NDOptDstLLAddr(lladdr=lladdr))


def mac_bytes(text: str) -> bytes:
    """``"00:11:22:33:44:55"`` as 6 bytes."""
    return bytes.fromhex(text.replace(":", ""))
