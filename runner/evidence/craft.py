"""Build small captures from bytes: pcap/pcapng writers and packet header builders.

Used by tests (tiny captures built in code, dpkt-style, instead of binary
fixtures), by the benchmark generator, and by anyone who needs to write frames
back out (e.g. the frames a trainee flagged). Builders take the fields a test
cares about and fill the rest with plausible defaults; checksums are left zero,
as capture offload often leaves them, and no analyzer relies on them.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable, Sequence

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

MAC_A = "00:11:22:33:44:55"
MAC_B = "66:77:88:99:aa:bb"


def mac(text: str) -> bytes:
    """``"00:11:22:33:44:55"`` to 6 bytes."""
    return bytes(int(part, 16) for part in text.split(":"))


def ether(
    payload: bytes,
    *,
    src: str = MAC_A,
    dst: str = MAC_B,
    etype: int = 0x0800,
    vlans: Sequence[int] = (),
) -> bytes:
    """An Ethernet II frame, optionally with 802.1Q tags (outermost first)."""
    tags = b"".join(struct.pack("!HH", 0x8100, vid) for vid in vlans)
    return mac(dst) + mac(src) + tags + struct.pack("!H", etype) + payload


def ipv4(
    payload: bytes,
    *,
    src: str = "10.0.0.1",
    dst: str = "10.0.0.2",
    proto: int = 6,
    ttl: int = 64,
    ident: int = 1,
    flags_frag: int = 0x4000,
    total_len: int | None = None,
) -> bytes:
    """An IPv4 header (no options) followed by ``payload``."""
    length = 20 + len(payload) if total_len is None else total_len
    return (
        struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            length,
            ident,
            flags_frag,
            ttl,
            proto,
            0,
            socket.inet_aton(src),
            socket.inet_aton(dst),
        )
        + payload
    )


def ipv6(
    payload: bytes, *, src: str = "fe80::1", dst: str = "fe80::2", nxt: int = 6, hlim: int = 64
) -> bytes:
    """An IPv6 header followed by ``payload`` (extension headers go in ``payload``)."""
    return (
        struct.pack(
            "!IHBB16s16s",
            0x60000000,
            len(payload),
            nxt,
            hlim,
            socket.inet_pton(socket.AF_INET6, src),
            socket.inet_pton(socket.AF_INET6, dst),
        )
        + payload
    )


def tcp(
    payload: bytes = b"",
    *,
    sport: int = 40000,
    dport: int = 80,
    seq: int = 1000,
    ack: int = 0,
    flags: str = "PA",
    window: int = 65535,
) -> bytes:
    """A TCP header (no options); ``flags`` is letters from FSRPAU."""
    bits = sum(1 << "FSRPAU".index(letter) for letter in flags)
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, bits, window, 0, 0) + payload


def udp(payload: bytes, *, sport: int = 5353, dport: int = 53) -> bytes:
    """A UDP header followed by ``payload``."""
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def dns_query(name: str, *, qid: int = 0x1234, qtype: int = 1) -> bytes:
    """A standard DNS query for one name."""
    return (
        struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
        + _qname(name)
        + struct.pack("!HH", qtype, 1)
    )


def dns_response(name: str, addrs: Iterable[str], *, qid: int = 0x1234, rcode: int = 0,
                 qtype: int = 1) -> bytes:
    """A DNS response answering ``name`` (question type ``qtype``) with A or AAAA records,
    one per address by its family (compressed owner names)."""
    answers = [(28, socket.inet_pton(socket.AF_INET6, a)) if ":" in a
               else (1, socket.inet_aton(a)) for a in addrs]
    head = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
    body = _qname(name) + struct.pack("!HH", qtype, 1)
    for kind, rdata in answers:
        body += struct.pack("!HHHIH", 0xC00C, kind, 1, 300, len(rdata)) + rdata
    return head + body


def _qname(name: str) -> bytes:
    labels = [p.encode() for p in name.rstrip(".").split(".") if p]
    return b"".join(bytes([len(p)]) + p for p in labels) + b"\x00"


def write_pcap(
    records: Iterable[tuple[int, bytes]],
    *,
    linktype: int = LINKTYPE_ETHERNET,
    nanos: bool = False,
    snaplen: int = 262144,
) -> bytes:
    """A classic pcap file from ``(ts_ns, frame_bytes)`` pairs (little-endian)."""
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    out = [struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for ts_ns, data in records:
        sec, rem = divmod(ts_ns, 1_000_000_000)
        frac = rem if nanos else rem // 1000
        out.append(struct.pack("<IIII", sec, frac, len(data), len(data)))
        out.append(data)
    return b"".join(out)


def pcapng_block(btype: int, body: bytes) -> bytes:
    """One pcapng block (little-endian), body padded to 4 bytes."""
    body += b"\x00" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", btype, length) + body + struct.pack("<I", length)


def pcapng_shb() -> bytes:
    """A section header block (little-endian, unknown section length)."""
    return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def pcapng_idb(linktype: int = LINKTYPE_ETHERNET, *, tsresol: int | None = None) -> bytes:
    """An interface description block, optionally with an if_tsresol option."""
    body = struct.pack("<HHI", linktype, 0, 0)
    if tsresol is not None:
        body += struct.pack("<HHB3x", 9, 1, tsresol) + struct.pack("<HH", 0, 0)
    return pcapng_block(1, body)


def pcapng_epb(data: bytes, units: int, *, iface: int = 0, wirelen: int | None = None) -> bytes:
    """An enhanced packet block; ``units`` is the timestamp in the interface's resolution."""
    wire = len(data) if wirelen is None else wirelen
    head = struct.pack("<IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data), wire)
    return pcapng_block(6, head + data)


def tcp_session(
    messages: Sequence[tuple[bool, bytes]],
    *,
    client: str = "10.0.0.1",
    server: str = "10.0.0.2",
    cport: int = 40000,
    sport: int = 80,
    mss: int = 1400,
    close: bool = True,
) -> list[bytes]:
    """Ethernet frames of a whole TCP conversation over IPv4.

    ``messages`` are ``(from_client, payload)`` in order; each payload is cut into
    ``mss``-sized segments. Handshake first, FIN/ACK teardown last (when ``close``).
    """
    seq = {True: 1000, False: 5000}
    frames: list[bytes] = []

    def seg(from_client: bool, payload: bytes, flags: str) -> None:
        src, dst = (client, server) if from_client else (server, client)
        sp, dp = (cport, sport) if from_client else (sport, cport)
        body = tcp(payload, sport=sp, dport=dp, seq=seq[from_client], ack=seq[not from_client],
                   flags=flags)  # fmt: skip
        frames.append(ether(ipv4(body, src=src, dst=dst)))
        seq[from_client] = (
            seq[from_client] + len(payload) + ("S" in flags or "F" in flags)
        ) & 0xFFFFFFFF

    seg(True, b"", "S")
    seg(False, b"", "SA")
    seg(True, b"", "A")
    for from_client, payload in messages:
        for i in range(0, len(payload), mss):
            seg(from_client, payload[i : i + mss], "PA")
    if close:
        seg(True, b"", "FA")
        seg(False, b"", "FA")
        seg(True, b"", "A")
    return frames
