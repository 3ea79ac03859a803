"""Header decoding across link types, VLAN tags, IPv6 extension headers and fragments."""

from __future__ import annotations

import struct

import pytest

from runner.evidence import craft
from runner.evidence.decode import PROTO_TCP, PROTO_UDP, Pkt, decode

IP_UDP = craft.ipv4(
    craft.udp(b"hello", sport=1111, dport=53), src="192.0.2.1", dst="192.0.2.2", proto=17
)


def _decoded(data: bytes, linktype: int = craft.LINKTYPE_ETHERNET) -> Pkt:
    p = Pkt()
    decode(p, data, linktype)
    return p


def _check_udp(p: Pkt) -> None:
    assert (p.ipv, p.proto, p.sport, p.dport) == (4, PROTO_UDP, 1111, 53)
    assert p.data[p.pl : p.end] == b"hello"
    assert p.damaged == ""


@pytest.mark.parametrize(
    ("frame", "linktype"),
    [
        (craft.ether(IP_UDP), craft.LINKTYPE_ETHERNET),
        (craft.ether(IP_UDP, vlans=[100]), craft.LINKTYPE_ETHERNET),
        (craft.ether(IP_UDP, vlans=[10, 20]), craft.LINKTYPE_ETHERNET),  # QinQ
        (IP_UDP, craft.LINKTYPE_RAW),
        (struct.pack("!HHH8sH", 0, 1, 6, b"\x00" * 8, 0x0800) + IP_UDP, craft.LINKTYPE_LINUX_SLL),
        (
            struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 0, 6, b"\x00" * 8) + IP_UDP,
            craft.LINKTYPE_LINUX_SLL2,
        ),
    ],
    ids=["ethernet", "vlan", "qinq", "raw", "sll", "sll2"],
)
def test_link_layers_reach_udp(frame: bytes, linktype: int) -> None:
    _check_udp(_decoded(frame, linktype))


def test_radiotap_80211_data_frame_with_llc_snap() -> None:
    radiotap = struct.pack("<BBHI", 0, 0, 8, 0)
    wlan = struct.pack("<BBH6s6s6sH", 0x08, 0x01, 0, b"\xaa" * 6, b"\xbb" * 6, b"\xcc" * 6, 0)
    llc = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"
    p = _decoded(radiotap + wlan + llc + IP_UDP, craft.LINKTYPE_IEEE802_11_RADIOTAP)
    assert p.wifi == 8
    _check_udp(p)


def test_ipv6_extension_headers_are_walked() -> None:
    hop_by_hop = bytes([PROTO_TCP, 0]) + bytes(6)
    segment = craft.tcp(b"data", sport=1, dport=2)
    p = _decoded(craft.ether(craft.ipv6(hop_by_hop + segment, nxt=0), etype=0x86DD))
    assert (p.ipv, p.proto, p.sport, p.dport) == (6, PROTO_TCP, 1, 2)
    assert p.data[p.pl : p.end] == b"data"


def test_ipv6_later_fragment_has_no_transport_header() -> None:
    frag = bytes([PROTO_UDP, 0]) + struct.pack("!HI", 8 << 3, 7)  # offset 8 units
    p = _decoded(craft.ether(craft.ipv6(frag + b"x" * 16, nxt=44), etype=0x86DD))
    assert p.frag
    assert p.sport == -1


def test_ipv4_fragments_are_flagged() -> None:
    first = craft.ipv4(craft.udp(b"a" * 20), proto=17, flags_frag=0x2000)  # more fragments
    later = craft.ipv4(b"b" * 20, proto=17, flags_frag=0x0003)
    p1, p2 = _decoded(craft.ether(first)), _decoded(craft.ether(later))
    assert p1.frag and p1.sport == 5353
    assert p2.frag and p2.sport == -1


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (b"\x00" * 10, "Ethernet header cut short"),
        (craft.ether(b"\x45\x00"), "IPv4 header cut short"),
        (craft.ether(craft.ipv4(b"", total_len=4)), "IPv4 header length field is wrong"),
        (craft.ether(craft.ipv4(b"\x00" * 8)), "TCP header cut short"),
        (craft.ether(b"\x60" + bytes(10), etype=0x86DD), "IPv6 header cut short"),
    ],
)
def test_damaged_headers_are_reported(frame: bytes, words: str) -> None:
    assert _decoded(frame).damaged == words
