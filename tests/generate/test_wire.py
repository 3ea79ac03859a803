"""Frame templates are byte-identical to scapy's full build (the oracle), checksums right."""

from __future__ import annotations

import random

import pytest
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import ARP, Ether
from scapy.utils import checksum as scapy_checksum

from runner.generate.wire.checksum import checksum
from runner.generate.wire.frames import (
    PROTO_ICMP,
    PROTO_UDP,
    IpPath,
    Node,
    arp_frame,
    icmp_message,
    udp_segment,
)
from runner.generate.wire.sink import Sink
from runner.generate.wire.tcp import ACK, FIN, PSH, SYN, TcpFlow, syn_options

A = Node("10.1.2.3", "00:14:22:01:02:03", 128, 64240)
B = Node("93.184.216.34", "00:1a:a1:0a:0b:0c", 64, 65535)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 20, 1459, 1460, 4001])
def test_checksum_equals_scapy(size: int) -> None:
    data = random.Random(size).randbytes(size)
    assert checksum(data) == scapy_checksum(data)


def test_checksum_of_all_zero_and_all_ones() -> None:
    assert checksum(b"\x00" * 8) == scapy_checksum(b"\x00" * 8) == 0xFFFF
    assert checksum(b"\xff" * 8) == scapy_checksum(b"\xff" * 8) == 0


def _scapy_tcp(src: Node, dst: Node, sport: int, dport: int, ident: int, seq: int, ack: int,
               flags: int, payload: bytes, options: list[tuple[str, int]]) -> bytes:
    return bytes(Ether(src=src.mac, dst=dst.mac) / IP(src=src.ip, dst=dst.ip, ttl=src.ttl,
                                                      id=ident, flags="DF")
                 / TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags,
                       window=src.window, options=options) / payload)


def test_tcp_conversation_frames_equal_scapy_builds() -> None:
    sink = Sink()
    flow = TcpFlow(sink, A, B, 50000, 80, random.Random(3), rtt_ms=10)
    c_isn, s_isn = flow.client.seq, flow.server.seq
    c_id, s_id = flow.client.path.ident, flow.server.path.ident
    t = flow.open(0)
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    flow.send(t, True, request)
    frames = [f for _, f in sink.ordered()]
    assert frames[0] == _scapy_tcp(A, B, 50000, 80, c_id, c_isn, 0, SYN, b"", [("MSS", 1460)])
    assert frames[1] == _scapy_tcp(B, A, 80, 50000, s_id, s_isn, c_isn + 1, SYN | ACK, b"",
                                   [("MSS", 1460)])
    assert frames[2] == _scapy_tcp(A, B, 50000, 80, c_id + 1, c_isn + 1, s_isn + 1, ACK, b"", [])
    assert frames[3] == _scapy_tcp(A, B, 50000, 80, c_id + 2, c_isn + 1, s_isn + 1, PSH | ACK,
                                   request, [])
    assert frames[4] == _scapy_tcp(B, A, 80, 50000, s_id + 1, s_isn + 1,
                                   c_isn + 1 + len(request), ACK, b"", [])
    assert syn_options(1460) == bytes(TCP(options=[("MSS", 1460)]))[20:]


def test_segments_respect_mss_and_sequence_numbers() -> None:
    sink = Sink()
    flow = TcpFlow(sink, A, B, 50001, 80, random.Random(4), mss=1000)
    t = flow.open(0)
    body = bytes(range(256)) * 20  # 5120 bytes: six segments
    start = flow.server.seq
    flow.close(flow.send(t, False, body), by_client=False)
    data = [Ether(f) for _, f in sink.ordered()]
    server = [p for p in data if p[IP].src == B.ip and len(p[TCP].payload)]
    assert [len(p[TCP].payload) for p in server] == [1000] * 5 + [120]
    assert [p[TCP].seq for p in server] == [start + i * 1000 for i in range(6)]
    assert b"".join(bytes(p[TCP].payload) for p in server) == body
    fins = [p for p in data if p[TCP].flags & FIN]
    assert len(fins) == 2
    assert all(p[TCP].chksum == TCP(bytes(p[TCP]))[TCP].chksum for p in data)
    times = [t for t, _ in sink.ordered()]
    assert times == sorted(times) and times[-1] > 0


def test_udp_icmp_and_arp_equal_scapy() -> None:
    path = IpPath(A, B, PROTO_UDP, 77, df=False)
    frame = path.frame(udp_segment(path, 5353, 53, b"payload"))
    assert frame == bytes(Ether(src=A.mac, dst=B.mac) / IP(src=A.ip, dst=B.ip, ttl=128, id=77)
                          / UDP(sport=5353, dport=53) / b"payload")
    path = IpPath(A, B, PROTO_ICMP, 78)
    frame = path.frame(icmp_message(8, 0, 0x1234, 7, b"abcdefgh"))
    assert frame == bytes(Ether(src=A.mac, dst=B.mac) / IP(src=A.ip, dst=B.ip, ttl=128, id=78,
                                                           flags="DF")
                          / ICMP(type=8, id=0x1234, seq=7) / b"abcdefgh")
    reply = arp_frame(2, A.mac, A.ip, B.mac, "10.1.2.1")
    oracle = bytes(Ether(src=A.mac, dst=B.mac) / ARP(op=2, hwsrc=A.mac, psrc=A.ip, hwdst=B.mac,
                                                     pdst="10.1.2.1"))
    assert reply == oracle + b"\x00" * (60 - len(oracle))


C6 = Node("2001:db8:10::5", "00:14:22:01:02:03", 128, 64240)
D6 = Node("2001:db8:99::80", "00:1a:a1:0a:0b:0c", 64, 65535)


def test_ipv6_frames_equal_scapy_builds() -> None:
    sink = Sink()
    flow = TcpFlow(sink, C6, D6, 50000, 443, random.Random(5))
    isn = flow.client.seq
    flow.open(0)
    syn = sink.ordered()[0][1]
    assert syn == bytes(Ether(src=C6.mac, dst=D6.mac) / IPv6(src=C6.ip, dst=D6.ip, hlim=128)
                        / TCP(sport=50000, dport=443, seq=isn, flags="S", window=64240,
                              options=[("MSS", 1460)]))
    path = IpPath(C6, D6, PROTO_UDP)
    assert path.frame(udp_segment(path, 5353, 53, b"q")) == bytes(
        Ether(src=C6.mac, dst=D6.mac) / IPv6(src=C6.ip, dst=D6.ip, hlim=128)
        / UDP(sport=5353, dport=53) / b"q")
    path = IpPath(C6, D6, PROTO_ICMP)
    assert path.frame(path.icmp(8, 0, 7, 9, b"ping")) == bytes(
        Ether(src=C6.mac, dst=D6.mac) / IPv6(src=C6.ip, dst=D6.ip, hlim=128)
        / ICMPv6EchoRequest(id=7, seq=9, data=b"ping"))


def test_mixed_address_families_are_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="one is IPv6, the other IPv4"):
        IpPath(C6, B, PROTO_UDP)
