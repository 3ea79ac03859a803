"""A small, defensive DNS message parser (RFC 1035 with compression, EDNS ignored).

Written for hostile input: every offset is checked, compression loops are cut
after a fixed number of jumps, and damage raises :class:`DnsError` (a ValueError)
so the caller can warn and skip the one message.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

TYPES = {
    1: "A",
    2: "NS",
    5: "CNAME",
    6: "SOA",
    10: "NULL",
    12: "PTR",
    13: "HINFO",
    15: "MX",
    16: "TXT",
    28: "AAAA",
    33: "SRV",
    35: "NAPTR",
    41: "OPT",
    43: "DS",
    46: "RRSIG",
    47: "NSEC",
    48: "DNSKEY",
    50: "NSEC3",
    64: "SVCB",
    65: "HTTPS",
    99: "SPF",
    251: "IXFR",
    252: "AXFR",
    255: "ANY",
    257: "CAA",
}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
_MAX_JUMPS = 64
_head = struct.Struct("!HHHHHH").unpack_from
_rr = struct.Struct("!HHIH").unpack_from


class DnsError(ValueError):
    """The message is damaged or is not DNS."""


@dataclass
class Record:
    name: str
    type: str
    ttl: int
    data: str


@dataclass
class Message:
    id: int
    response: bool
    opcode: int
    rcode: str
    questions: list[tuple[str, str]] = field(default_factory=list)
    answers: list[Record] = field(default_factory=list)


def type_name(code: int) -> str:
    """Mnemonic of a record type, or ``TYPE<n>`` (RFC 3597)."""
    return TYPES.get(code, f"TYPE{code}")


def parse(msg: bytes) -> Message:
    """Parse questions and the answer section of one DNS message.

    Raises:
        DnsError: the message is cut short or malformed.
    """
    if len(msg) < 12:
        raise DnsError("shorter than a DNS header")
    ident, flags, qd, an, _ns, _ar = _head(msg, 0)
    if qd > 64 or an > 4096:
        raise DnsError(f"implausible counts ({qd} questions, {an} answers)")
    out = Message(ident, bool(flags & 0x8000), (flags >> 11) & 15, _rcode(flags & 15))
    pos = 12
    for _ in range(qd):
        name, pos = read_name(msg, pos)
        if pos + 4 > len(msg):
            raise DnsError("question cut short")
        out.questions.append((name, type_name(msg[pos] << 8 | msg[pos + 1])))
        pos += 4
    for _ in range(an):
        name, pos = read_name(msg, pos)
        if pos + 10 > len(msg):
            raise DnsError("answer cut short")
        rtype, _cls, ttl, rdlen = _rr(msg, pos)
        pos += 10
        if pos + rdlen > len(msg):
            raise DnsError("answer data cut short")
        out.answers.append(Record(name, type_name(rtype), ttl, _rdata(msg, pos, rtype, rdlen)))
        pos += rdlen
    return out


def _rcode(code: int) -> str:
    return RCODES.get(code, f"RCODE{code}")


def read_name(msg: bytes, pos: int) -> tuple[str, int]:
    """Read a possibly compressed name at ``pos``; return it and the offset after it."""
    labels: list[str] = []
    end = -1
    jumps = 0
    while True:
        if pos >= len(msg):
            raise DnsError("name runs past the message")
        length = msg[pos]
        if length == 0:
            pos += 1
            break
        if length & 0xC0 == 0xC0:
            if pos + 1 >= len(msg):
                raise DnsError("compression pointer cut short")
            jumps += 1
            if jumps > _MAX_JUMPS:
                raise DnsError("compression pointer loop")
            if end < 0:
                end = pos + 2
            pos = (length & 0x3F) << 8 | msg[pos + 1]
            continue
        if length & 0xC0:
            raise DnsError(f"unknown label type 0x{length:02x}")
        label = msg[pos + 1 : pos + 1 + length]
        if len(label) < length:
            raise DnsError("label cut short")
        labels.append(label.decode("ascii", "backslashreplace"))
        pos += 1 + length
    # Wireshark shows the root name as "<Root>"; matching it keeps names comparable.
    return (".".join(labels) if labels else "<Root>"), (end if end >= 0 else pos)


def _rdata(msg: bytes, pos: int, rtype: int, rdlen: int) -> str:
    raw = msg[pos : pos + rdlen]
    if rtype == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    if rtype == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, raw)
    if rtype in (2, 5, 12, 6):  # NS, CNAME, PTR; SOA: the primary name server
        return read_name(msg, pos)[0]
    if rtype == 15 and rdlen >= 3:
        return read_name(msg, pos + 2)[0]
    if rtype == 33 and rdlen >= 7:
        return f"{read_name(msg, pos + 6)[0]}:{msg[pos + 4] << 8 | msg[pos + 5]}"
    if rtype in (16, 99):
        return _txt(raw)
    return raw.hex()


def _txt(raw: bytes) -> str:
    parts = []
    i = 0
    while i < len(raw):
        n = raw[i]
        parts.append(raw[i + 1 : i + 1 + n].decode("utf-8", "backslashreplace"))
        i += 1 + n
    return "".join(parts)
