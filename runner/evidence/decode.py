"""Decode link, IP and transport headers by hand, at fixed offsets, into one reused record.

This is the hot path of every analysis: it runs once per packet, so it builds no
objects per layer (unlike a dpkt parse) and keeps only offsets and the few fields
the analyzers key on. A :class:`Pkt` is valid only during the call that receives it;
an analyzer that needs something later copies it out.
"""

from __future__ import annotations

import struct

# Link types (tcpdump.org LINKTYPE_* values).
LT_NULL, LT_ETHERNET, LT_RAW, LT_LOOP = 0, 1, 101, 108
LT_80211, LT_SLL, LT_RADIOTAP, LT_IPV4, LT_IPV6, LT_SLL2 = 105, 113, 127, 228, 229, 276
LT_PRISM, LT_AVS = 119, 163  # 802.11 behind a Prism or AVS monitor-mode header
LT_RAW_ALIASES = frozenset({12, 14, LT_RAW, LT_IPV4, LT_IPV6})

ET_IPV4, ET_ARP, ET_IPV6, ET_EAPOL = 0x0800, 0x0806, 0x86DD, 0x888E
ET_PPPOE_SESSION, ET_MPLS, ET_MPLS_MULTICAST = 0x8864, 0x8847, 0x8848
_PPP_IPV4, _PPP_IPV6 = 0x0021, 0x0057
# Ether types an analyzer reads whole (not decoded further here, never "undecoded").
KNOWN_ETHER = frozenset({ET_IPV4, ET_IPV6, ET_ARP, ET_EAPOL})
_LINK_NAMES = {
    LT_NULL: "BSD loopback",
    LT_ETHERNET: "Ethernet",
    LT_RAW: "raw IP",
    LT_80211: "802.11",
    LT_SLL: "Linux cooked",
    LT_RADIOTAP: "radiotap 802.11",
    LT_PRISM: "Prism 802.11",
    LT_AVS: "AVS 802.11",
    LT_SLL2: "Linux cooked v2",
}
_ETHER_NAMES = {ET_PPPOE_SESSION: "PPPoE session", ET_MPLS: "MPLS", ET_MPLS_MULTICAST: "MPLS"}
_VLAN_TAGS = frozenset({0x8100, 0x88A8, 0x9100})
PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMP6 = 1, 6, 17, 58
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
# IPv6 extension headers that are walked to reach the transport header (RFC 8200).
_IP6_EXT = frozenset({0, 43, 60, 135, 139, 140})
_IP6_FRAG, _IP6_AH = 44, 51

_ip4 = struct.Struct("!BxHHHBB2x4s4s").unpack_from
_ip6 = struct.Struct("!4xHBB16s16s").unpack_from
_tcp = struct.Struct("!HHIIBB").unpack_from
_ports = struct.Struct("!HH").unpack_from
_u16 = struct.Struct("!H").unpack_from


def layer_name(linktype: int, etype: int) -> str:
    """Words for a layer dflab did not decode: ``of link type 9``, ``with ether type 0x88cc``.

    ``etype`` is -1 when the link layer itself was not understood; below 0x600 it is an
    802.3 length (LLC frames: spanning tree, CDP, NetBIOS...).
    """
    if etype < 0:
        return f"of link type {linktype}" + (
            f" ({_LINK_NAMES[linktype]})" if linktype in _LINK_NAMES else " (unsupported)"
        )
    if etype < 0x600:
        return "of 802.3/LLC (no ether type)"
    name = _ETHER_NAMES.get(etype)
    inner = f" ({name}, inner protocol not IP)" if name else ""
    return f"with ether type 0x{etype:04x}{inner}"


class Pkt:
    """Decoded view of one frame; offsets index into ``data``.

    ``ipv`` is 0 when the frame carries no (readable) IP header; ``proto`` is the
    transport protocol; ``pl``/``end`` bound the transport payload when
    ``sport`` is set (-1 otherwise); ``key`` is then the raw source and destination
    address and ports (empty when the flow table must join them itself).
    """

    __slots__ = (
        "ack",
        "damaged",
        "data",
        "dport",
        "dst",
        "end",
        "etype",
        "flags",
        "frag",
        "frame",
        "ipv",
        "key",
        "l2",
        "l3",
        "l4",
        "linktype",
        "off",
        "pl",
        "proto",
        "seq",
        "sport",
        "src",
        "ts",
        "wifi",
        "wirelen",
    )

    def __init__(self) -> None:
        self.frame = self.ts = self.wirelen = self.linktype = 0
        self.data = self.src = self.dst = self.key = b""
        self.off = -1  # file offset of data[0], -1 when unknown
        self.l2 = self.l3 = self.l4 = self.pl = self.end = self.wifi = -1
        self.etype = self.ipv = self.proto = self.flags = self.seq = self.ack = 0
        self.sport = self.dport = -1
        self.frag = False
        self.damaged = ""


def decode(p: Pkt, data: bytes, linktype: int) -> None:
    """Fill ``p`` from one frame; sets ``p.damaged`` when a header is cut or lies."""
    p.data = data
    p.linktype = linktype
    p.wifi = p.sport = p.dport = -1
    p.frag = False
    p.damaged = ""
    # Fast path for the bulk of real traffic: untagged Ethernet, IPv4 without options or
    # fragments. Same result as the general path, fewer calls.
    if linktype == LT_ETHERNET and len(data) >= 54 and data[12] == 8 and data[13] == 0:
        vihl, total, _ident, frag, _ttl, proto, src, dst = _ip4(data, 14)
        if vihl == 0x45 and total >= 20 and not frag & 0x3FFF:
            p.l2, p.etype, p.l3, p.ipv, p.proto, p.src, p.dst = 0, ET_IPV4, 14, 4, proto, src, dst
            end = p.end = min(14 + total, len(data))
            p.l4 = 34
            if proto == PROTO_TCP and end >= 54:
                p.sport, p.dport, p.seq, p.ack, doff, p.flags = _tcp(data, 34)
                p.pl = min(34 + (doff >> 4) * 4, end)
                p.key = data[26:38]
                return
            if proto == PROTO_UDP and end >= 42:
                p.sport, p.dport = _ports(data, 34)
                p.pl = 42
                p.key = data[26:38]
                return
            if proto not in (PROTO_TCP, PROTO_UDP):  # ICMP and the rest: no ports
                p.key = b""
                return
    p.ipv = p.etype = 0
    p.l2 = p.l3 = -1
    if linktype == LT_ETHERNET:
        _ether(p, data, 0)
    elif linktype in LT_RAW_ALIASES:
        _raw(p, data, 0)
    elif linktype == LT_SLL:
        if len(data) >= 16:
            _ethertype(p, data, _u16(data, 14)[0], 16)
    elif linktype == LT_SLL2:
        if len(data) >= 20:
            _ethertype(p, data, _u16(data, 0)[0], 20)
    elif linktype == LT_RADIOTAP:
        if len(data) >= 4:
            _wifi(p, data, data[2] | data[3] << 8)
    elif linktype == LT_80211:
        _wifi(p, data, 0)
    elif linktype in (LT_NULL, LT_LOOP):
        _raw(p, data, 4)
    elif linktype == LT_PRISM and len(data) >= 8:
        # Prism capture header: msgcode, then its own length (host order, in practice
        # little-endian; 144 bytes from every driver seen).
        _wifi(p, data, int.from_bytes(data[4:8], "little"))
    elif linktype == LT_AVS and len(data) >= 8:
        _wifi(p, data, int.from_bytes(data[4:8], "big"))


def _ether(p: Pkt, data: bytes, off: int) -> None:
    if len(data) < off + 14:
        p.damaged = "Ethernet header cut short"
        return
    p.l2 = off
    etype = data[off + 12] << 8 | data[off + 13]
    off += 14
    while etype in _VLAN_TAGS:  # 802.1Q / QinQ: the real type follows each tag
        if len(data) < off + 4:
            p.damaged = "VLAN tag cut short"
            return
        etype = data[off + 2] << 8 | data[off + 3]
        off += 4
    _ethertype(p, data, etype, off)


def _ethertype(p: Pkt, data: bytes, etype: int, off: int) -> None:
    p.etype = etype
    p.l3 = off
    if etype == ET_IPV4:
        _ipv4(p, data, off)
    elif etype == ET_IPV6:
        _ipv6(p, data, off)
    elif etype == ET_PPPOE_SESSION:
        _pppoe(p, data, off)
    elif etype in (ET_MPLS, ET_MPLS_MULTICAST):
        _mpls(p, data, off)


def _pppoe(p: Pkt, data: bytes, off: int) -> None:
    """PPPoE session frame (RFC 2516): 6-byte header, then a PPP protocol number.

    Other PPP protocols (LCP, IPCP, CHAP...) keep the PPPoE ether type: not IP.
    """
    if len(data) < off + 8:
        p.damaged = "PPPoE header cut short"
        return
    proto = _u16(data, off + 6)[0]
    if proto == _PPP_IPV4:
        _ethertype(p, data, ET_IPV4, off + 8)
    elif proto == _PPP_IPV6:
        _ethertype(p, data, ET_IPV6, off + 8)


def _mpls(p: Pkt, data: bytes, off: int) -> None:
    """An MPLS label stack (RFC 3032): 4 bytes a label up to the bottom-of-stack bit, then
    IP told apart by its version nibble (as Wireshark guesses; a pseudowire is not IP)."""
    while True:
        if len(data) < off + 4:
            p.damaged = "MPLS label stack cut short"
            return
        bottom = data[off + 2] & 1
        off += 4
        if bottom:
            break
    _raw(p, data, off)


def _raw(p: Pkt, data: bytes, off: int) -> None:
    if len(data) <= off:
        return
    version = data[off] >> 4
    if version == 4:
        _ethertype(p, data, ET_IPV4, off)
    elif version == 6:
        _ethertype(p, data, ET_IPV6, off)


def _wifi(p: Pkt, data: bytes, off: int) -> None:
    """802.11: remember where the MAC header starts; decode data frames' LLC/SNAP payload."""
    if len(data) < off + 24:
        if len(data) >= off + 10 and (data[off] >> 2) & 3 == 1:
            p.wifi = off  # control frames (ACK, CTS: 10 bytes; RTS: 16) are short by design
            return
        p.damaged = "802.11 header cut short" if len(data) > off else ""
        return
    p.wifi = off
    fc = data[off]
    if (fc >> 2) & 3 != 2:  # management/control frames: only the wifi analyzer looks
        return
    hdr = 24
    if data[off + 1] & 3 == 3:
        hdr += 6  # four-address (WDS) frame
    if fc & 0x80:
        hdr += 2  # QoS control
    if data[off + 1] & 0x40:
        return  # protected payload: nothing to decode without keys
    llc = off + hdr
    if len(data) >= llc + 8 and data[llc : llc + 3] == b"\xaa\xaa\x03":
        _ethertype(p, data, _u16(data, llc + 6)[0], llc + 8)


def _ipv4(p: Pkt, data: bytes, off: int) -> None:
    if len(data) < off + 20:
        p.damaged = "IPv4 header cut short"
        return
    vihl, total, _ident, frag, _ttl, proto, src, dst = _ip4(data, off)
    ihl = (vihl & 15) * 4
    if ihl < 20 or total < ihl:
        p.damaged = "IPv4 header length field is wrong"
        return
    p.ipv = 4
    p.src = src
    p.dst = dst
    p.proto = proto
    p.l4 = off + ihl
    p.end = min(off + total, len(data))
    if frag & 0x3FFF:  # more-fragments flag or a non-zero offset
        p.frag = True
        if frag & 0x1FFF:
            return  # only the first fragment carries the transport header
    _transport(p, data, proto, off + ihl)


def _ipv6(p: Pkt, data: bytes, off: int) -> None:
    if len(data) < off + 40:
        p.damaged = "IPv6 header cut short"
        return
    plen, nxt, _hlim, src, dst = _ip6(data, off)
    p.ipv = 6
    p.src = src
    p.dst = dst
    end = off + 40 + plen if plen else len(data)  # 0 = jumbogram: take the capture
    p.end = min(end, len(data))
    off += 40
    while nxt in _IP6_EXT or nxt in (_IP6_FRAG, _IP6_AH):
        if len(data) < off + 8:
            p.proto = nxt
            p.damaged = "IPv6 extension header cut short"
            return
        if nxt == _IP6_FRAG:
            p.frag = True
            if _u16(data, off + 2)[0] & 0xFFF8:
                p.proto = data[off]
                return
            nxt, off = data[off], off + 8
        elif nxt == _IP6_AH:
            nxt, off = data[off], off + (data[off + 1] + 2) * 4
        else:
            nxt, off = data[off], off + (data[off + 1] + 1) * 8
    p.proto = nxt
    p.l4 = off
    _transport(p, data, nxt, off)


def _transport(p: Pkt, data: bytes, proto: int, off: int) -> None:
    end = p.end
    p.key = b""  # the flow table builds it from src, dst and ports
    if proto == PROTO_TCP:
        if end < off + 20:
            p.damaged = "TCP header cut short"
            return
        p.sport, p.dport, p.seq, p.ack, doff, p.flags = _tcp(data, off)
        p.pl = min(off + (doff >> 4) * 4, end)
    elif proto == PROTO_UDP:
        if end < off + 8:
            p.damaged = "UDP header cut short"
            return
        p.sport, p.dport = _ports(data, off)
        p.pl = off + 8
