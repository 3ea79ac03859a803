"""Give a real frame new addresses, everywhere a dissector or an analyzer reads one.

An embedded capture must not give away its origin: the hosts a story takes over keep no
trace of their real MAC or addresses. Besides the Ethernet, ARP, IPv4 and IPv6 headers,
addresses ride inside payloads: ICMPv6 neighbour discovery (targets, link-layer address
options, prefixes), MLD records, DNS A/AAAA records (UDP, mDNS, LLMNR, and TCP messages
whole in one segment), DHCP (ciaddr, yiaddr, siaddr, giaddr, chaddr, address options,
the client id's MAC), DHCPv6 (DUIDs, leased addresses, DNS servers) and the packet an
ICMP error quotes.

Edits are made in place, so lengths and DNS compression pointers stay right, and each
checksum over an edited byte is updated incrementally (RFC 1624), which stays right for
frames cut short by a snap length, where the full data is not there to sum. Headers are
found by the analyzers' own decoder (:mod:`runner.evidence.decode`); payloads are walked
only as far as their address fields, and a payload that does not parse whole is left
alone rather than guessed at.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from runner.evidence.decode import (
    ET_ARP,
    LT_ETHERNET,
    LT_RAW,
    PROTO_ICMP,
    PROTO_ICMP6,
    PROTO_TCP,
    PROTO_UDP,
    Pkt,
    decode,
)
from runner.generate.wire.checksum import checksum

Edit = tuple[int, bytes, bytes]  # where in the frame, bytes before, bytes after
LINK_LOCAL = bytes.fromhex("fe80000000000000")
SOLICITED = bytes.fromhex("ff0200000000000000000001ff")  # ff02::1:ff00:0/104, RFC 4291
_DNS_PORTS = frozenset({53, 5353, 5355})
_DHCP_ADDRESS_OPTIONS = frozenset({3, 4, 5, 6, 7, 9, 28, 41, 42, 44, 45, 48, 49, 50, 54, 65,
                                   69, 70, 71, 72, 73, 74, 75, 76, 118})
_ICMP_QUOTES = frozenset({3, 4, 5, 11, 12})
_u16 = struct.Struct("!H").unpack_from


def eui64(mac: bytes) -> bytes:
    """The modified EUI-64 interface id of a MAC (RFC 4291 appendix A)."""
    return bytes([mac[0] ^ 2]) + mac[1:3] + b"\xff\xfe" + mac[3:6]


@dataclass
class AddressMap:
    """Old address bytes to new ones. IPv6 addresses not listed follow rules: an
    interface id built from a mapped MAC is rebuilt from the new MAC, the real LAN's
    /64 (``real64``) moves to ``story64``, and a solicited-node group follows the
    address it is derived from."""

    v4: dict[bytes, bytes] = field(default_factory=dict)
    macs: dict[bytes, bytes] = field(default_factory=dict)
    v6: dict[bytes, bytes] = field(default_factory=dict)
    real64: bytes | None = None
    story64: bytes | None = None

    def ip4(self, raw: bytes) -> bytes:
        return self.v4.get(raw, raw)

    def mac(self, raw: bytes) -> bytes:
        return self.macs.get(raw, raw)

    def ip6(self, raw: bytes) -> bytes:
        new = self.v6.get(raw)
        if new is None:
            new = self.v6[raw] = self._rule6(raw)
        return new

    def _rule6(self, raw: bytes) -> bytes:
        if raw[:13] == SOLICITED:
            for old, new in list(self.v6.items()):
                if old[13:] == raw[13:] and old[:13] != SOLICITED and new != old:
                    return SOLICITED + new[13:]
            return raw
        head, iid = raw[:8], raw[8:]
        if head != LINK_LOCAL and (self.real64 is None or head != self.real64):
            return raw
        if iid[3:5] == b"\xff\xfe":
            mac = self.macs.get(bytes([iid[0] ^ 2]) + iid[1:3] + iid[5:8])
            iid = eui64(mac) if mac else iid
        return (head if head == LINK_LOCAL else self.story64 or head) + iid


def rewrite(data: bytes, amap: AddressMap) -> bytes:
    """One Ethernet frame with every address it carries mapped and its checksums right."""
    p = Pkt()
    decode(p, data, LT_ETHERNET)
    frame = bytearray(data)
    for at in (0, 6):
        _swap(frame, [], at, 6, amap.mac)
    if p.etype == ET_ARP and len(frame) >= p.l3 + 28 and frame[p.l3 + 4:p.l3 + 6] == b"\x06\x04":
        for at in (8, 18):
            _swap(frame, [], p.l3 + at, 6, amap.mac)
        for at in (14, 24):
            _swap(frame, [], p.l3 + at, 4, amap.ip4)
    elif p.ipv in (4, 6):
        old_dst = bytes(frame[p.l3 + 24:p.l3 + 40])
        _packet(frame, p.l3, amap, p)
        new_dst = bytes(frame[p.l3 + 24:p.l3 + 40])
        if p.ipv == 6 and frame[0:2] == b"\x33\x33" and new_dst != old_dst:
            frame[2:6] = new_dst[12:]  # an IPv6 multicast group's Ethernet address follows it
    return bytes(frame)


def _packet(frame: bytearray, l3: int, amap: AddressMap, p: Pkt | None = None) -> list[Edit]:
    """Rewrite the IP packet at ``l3`` (a frame's, decoded as ``p``, or one an ICMP error
    quotes); returns every edit made, checksum fields included, for a checksum around it."""
    base = 0  # where the offsets in p count from
    if p is None:
        p, base = Pkt(), l3
        decode(p, bytes(frame[l3:]), LT_RAW)
        if p.ipv not in (4, 6) or p.l3 != 0:
            return []
    head: list[Edit] = []
    if p.ipv == 4:
        for at in (12, 16):
            _swap(frame, head, l3 + at, 4, amap.ip4)
        size = (frame[l3] & 15) * 4
        if head and l3 + size <= len(frame):
            head += _set(frame, l3 + 10, lambda: checksum(bytes(frame[l3:l3 + size])))
    else:
        for at in (8, 24):
            _swap(frame, head, l3 + at, 16, amap.ip6)
    if p.l4 < 0 or (p.ipv == 4 and _u16(frame, l3 + 6)[0] & 0x1FFF):
        return head  # a later fragment: no transport header to follow
    l4, end = base + p.l4, base + p.end
    body = _transport(frame, p, base, amap)
    offset = {PROTO_TCP: 16, PROTO_UDP: 6, PROTO_ICMP: 2, PROTO_ICMP6: 2}.get(p.proto)
    udp = p.proto == PROTO_UDP
    if offset is None or (p.proto, p.ipv) in ((PROTO_ICMP, 6), (PROTO_ICMP6, 4)):
        return head + body
    if udp and p.ipv == 4 and frame[l4 + 6:l4 + 8] == b"\x00\x00":
        return head + body  # the sender sent no checksum
    pseudo = [] if p.proto == PROTO_ICMP else [e for e in head if e[0] - l3 != 10]
    if not pseudo + body or l4 + offset + 2 > end:
        return head + body
    declared = l3 + (_u16(frame, l3 + 2)[0] if p.ipv == 4 else 40 + _u16(frame, l3 + 4)[0])
    if p.frag or declared > len(frame) or declared != end:
        return head + body + _fix(frame, l4 + offset, pseudo + body, udp=udp)
    return head + body + _set(frame, l4 + offset, lambda: _sum(frame, p, l3, l4, end), udp=udp)


def _sum(frame: bytearray, p: Pkt, l3: int, l4: int, end: int) -> int:
    """The transport checksum of the whole segment (its checksum field zero)."""
    segment = bytes(frame[l4:end])
    if p.proto == PROTO_ICMP:
        return checksum(segment)
    if p.ipv == 4:
        pseudo = bytes(frame[l3 + 12:l3 + 20]) + struct.pack("!BBH", 0, p.proto, len(segment))
    else:
        pseudo = bytes(frame[l3 + 8:l3 + 40]) + struct.pack("!IxxxB", len(segment), p.proto)
    return checksum(pseudo + segment)


def _set(frame: bytearray, at: int, compute: Callable[[], int], *,
         udp: bool = False) -> list[Edit]:
    """Recompute a checksum over data all in the frame: a capture taken on the sending
    host holds checksums its network card was to fill in (offload), which a capture on
    the wire would show right."""
    old = bytes(frame[at:at + 2])
    frame[at:at + 2] = b"\x00\x00"
    value = compute()
    struct.pack_into("!H", frame, at, 0xFFFF if udp and value == 0 else value)
    return [(at, old, bytes(frame[at:at + 2]))] if frame[at:at + 2] != old else []


def _transport(frame: bytearray, p: Pkt, base: int, amap: AddressMap) -> list[Edit]:
    edits: list[Edit] = []
    l4, end = base + p.l4, base + p.end
    ports = {p.sport, p.dport}
    if p.proto == PROTO_UDP and p.pl >= 0:
        if ports & _DNS_PORTS:
            edits += _dns(frame, base + p.pl, end, amap)
        elif ports & {67, 68} and p.ipv == 4:
            edits += _dhcp(frame, base + p.pl, end, amap)
        elif ports & {546, 547} and p.ipv == 6:
            edits += _dhcp6(frame, base + p.pl, end, amap)
    elif p.proto == PROTO_TCP and 53 in ports and p.pl >= 0:
        at = base + p.pl
        while at + 2 <= end and at + 2 + _u16(frame, at)[0] <= end:  # whole messages only
            size = _u16(frame, at)[0]
            edits += _dns(frame, at + 2, at + 2 + size, amap, exact=True)
            at += 2 + size
    elif p.proto == PROTO_ICMP and p.ipv == 4 and l4 + 8 <= end and frame[l4] in _ICMP_QUOTES:
        if frame[l4] == 5:  # redirect: the better gateway
            _swap(frame, edits, l4 + 4, 4, amap.ip4)
        edits += _packet(frame, l4 + 8, amap)
    elif p.proto == PROTO_ICMP6 and l4 + 8 <= end:
        edits += _icmp6(frame, l4, end, amap)
    return edits


def _icmp6(frame: bytearray, l4: int, end: int, amap: AddressMap) -> list[Edit]:
    kind, edits = frame[l4], list[Edit]()
    if 1 <= kind <= 4:  # errors quote the offending packet
        return _packet(frame, l4 + 8, amap)
    if kind in (130, 131, 132):  # MLDv1: the group
        _swap(frame, edits, l4 + 8, 16, amap.ip6, end)
    elif kind == 143:  # MLDv2 report: records of a group and its sources
        at = l4 + 8
        for _ in range(_u16(frame, l4 + 6)[0]):
            if at + 20 > end:
                break
            sources = _u16(frame, at + 2)[0]
            for where in [at + 4] + [at + 20 + 16 * i for i in range(sources)]:
                _swap(frame, edits, where, 16, amap.ip6, end)
            at += 20 + 16 * sources + 4 * frame[at + 1]
    elif kind in (133, 134, 135, 136, 137):  # neighbour discovery, RFC 4861
        targets = {135: 1, 136: 1, 137: 2}.get(kind, 0)
        for i in range(targets):
            _swap(frame, edits, l4 + 8 + 16 * i, 16, amap.ip6, end)
        at = l4 + {133: 8, 134: 16, 135: 24, 136: 24, 137: 40}[kind]
        while at + 8 <= end and frame[at + 1]:
            option, size = frame[at], frame[at + 1] * 8
            if option in (1, 2) and size == 8:  # source/target link-layer address
                _swap(frame, edits, at + 2, 6, amap.mac, end)
            elif option == 3 and size == 32:  # prefix information
                _swap(frame, edits, at + 16, 16, amap.ip6, end)
            elif option == 25:  # recursive DNS servers, RFC 8106
                for where in range(at + 8, at + size, 16):
                    _swap(frame, edits, where, 16, amap.ip6, end)
            at += size
    return edits


def _dns(frame: bytearray, at: int, end: int, amap: AddressMap, *,
         exact: bool = False) -> list[Edit]:
    """A and AAAA record data in every section of one DNS message (``exact``: the
    message must fill ``at:end``, as a TCP length prefix says)."""
    if end - at < 12:
        return []
    counts = struct.unpack_from("!4H", frame, at + 4)
    pos, found = at + 12, []
    for _ in range(counts[0]):
        pos = _skip_name(frame, pos, end) + 4
        if pos < 4:
            return []
    for _ in range(sum(counts[1:])):
        pos = _skip_name(frame, pos, end)
        if pos < 0 or pos + 10 > end:
            return []
        kind, size = _u16(frame, pos)[0], _u16(frame, pos + 8)[0]
        pos += 10
        if pos + size > end:
            return []
        if (kind, size) in ((1, 4), (28, 16)):
            found.append((pos, size))
        pos += size
    if exact and pos != end:
        return []
    edits: list[Edit] = []
    for where, size in found:  # only once the whole message parsed
        _swap(frame, edits, where, size, amap.ip4 if size == 4 else amap.ip6)
    return edits


def _skip_name(frame: bytearray, pos: int, end: int) -> int:
    while pos < end:
        size = frame[pos]
        if size == 0:
            return pos + 1
        if size & 0xC0 == 0xC0:
            return pos + 2 if pos + 2 <= end else -1
        if size & 0xC0:
            return -1
        pos += 1 + size
    return -1


def _dhcp(frame: bytearray, at: int, end: int, amap: AddressMap) -> list[Edit]:
    """BOOTP address fields, chaddr, address options and the client id's MAC (RFC 2132)."""
    if end < at + 240 or frame[at + 236:at + 240] != b"\x63\x82\x53\x63":
        return []
    edits: list[Edit] = []
    for where in (12, 16, 20, 24):  # ciaddr, yiaddr, siaddr, giaddr
        _swap(frame, edits, at + where, 4, amap.ip4)
    if frame[at + 1:at + 3] == b"\x01\x06":  # Ethernet hardware address
        _swap(frame, edits, at + 28, 6, amap.mac)
    pos = at + 240
    while pos < end and frame[pos] != 255:
        if frame[pos] == 0:
            pos += 1
            continue
        if pos + 2 > end or pos + 2 + frame[pos + 1] > end:
            break
        code, size = frame[pos], frame[pos + 1]
        if code in _DHCP_ADDRESS_OPTIONS and size % 4 == 0:
            for where in range(pos + 2, pos + 2 + size, 4):
                _swap(frame, edits, where, 4, amap.ip4)
        elif code == 61 and size == 7 and frame[pos + 2] == 1:
            _swap(frame, edits, pos + 3, 6, amap.mac)
        pos += 2 + size
    return edits


def _dhcp6(frame: bytearray, at: int, end: int, amap: AddressMap) -> list[Edit]:
    """DUIDs' link-layer addresses, leased addresses and DNS servers (RFC 8415)."""
    if end < at + 4 or frame[at] in (12, 13):  # relay messages: not walked
        return []
    return _dhcp6_options(frame, at + 4, end, amap)


def _dhcp6_options(frame: bytearray, pos: int, end: int, amap: AddressMap) -> list[Edit]:
    edits: list[Edit] = []
    while pos + 4 <= end:
        code, size = _u16(frame, pos)[0], _u16(frame, pos + 2)[0]
        body, pos = pos + 4, pos + 4 + size
        if pos > end:
            break
        if code in (1, 2) and size >= 4 and _u16(frame, body + 2)[0] == 1:  # Ethernet DUID
            kind = _u16(frame, body)[0]
            if (kind, size) in ((1, 14), (3, 10)):  # DUID-LLT, DUID-LL
                _swap(frame, edits, body + size - 6, 6, amap.mac)
        elif code == 3 and size >= 12:  # IA_NA: its options follow id, T1, T2
            edits += _dhcp6_options(frame, body + 12, pos, amap)
        elif code == 4 and size >= 4:  # IA_TA
            edits += _dhcp6_options(frame, body + 4, pos, amap)
        elif code == 5 and size >= 16:  # IA address
            _swap(frame, edits, body, 16, amap.ip6)
        elif code == 23:  # DNS recursive name servers
            for where in range(body, pos - 15, 16):
                _swap(frame, edits, where, 16, amap.ip6)
    return edits


def _swap(frame: bytearray, edits: list[Edit], at: int, size: int,
          new_of: Callable[[bytes], bytes], end: int | None = None) -> None:
    if at + size > (len(frame) if end is None else min(end, len(frame))):
        return
    old = bytes(frame[at:at + size])
    new = new_of(old)
    if new != old:
        frame[at:at + size] = new
        edits.append((at, old, new))


def _fix(frame: bytearray, at: int, edits: list[Edit], *, udp: bool = False,
         end: int | None = None) -> list[Edit]:
    """RFC 1624: HC' = ~(~HC + ~m + m') over every changed 16-bit word. Words are aligned
    on even frame offsets: every layer here starts at one (Ethernet, VLAN tags and IP
    headers are all of even length). Returns the checksum's own edit."""
    if not edits or at + 2 > (len(frame) if end is None else min(end, len(frame))):
        return []
    old_value = bytes(frame[at:at + 2])
    total = ~_u16(frame, at)[0] & 0xFFFF
    for where, old, new in edits:
        lead, tail = b"\x00" * (where & 1), b"\x00" * ((where + len(old)) & 1)
        before, after = lead + old + tail, lead + new + tail
        for i in range(0, len(before), 2):
            total += (~_u16(before, i)[0] & 0xFFFF) + _u16(after, i)[0]
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    value = ~total & 0xFFFF
    struct.pack_into("!H", frame, at, 0xFFFF if udp and value == 0 else value)
    return [(at, old_value, bytes(frame[at:at + 2]))]
