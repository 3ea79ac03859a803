"""DNS messages decoded with dpkt (RFC 1035 with compression, EDNS ignored).

dpkt reads the header, names (compression pointers may only point backwards, so a
pointer loop cannot happen) and the records it knows; records it does not know keep
their raw data (shown as hex), and only the question and answer sections are read.
Damage raises :class:`DnsError` (``Damaged``) so the caller can warn and skip the one
message; anything else dpkt raises is a bug and propagates.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from typing import Any

import dpkt

from runner.evidence.damage import Damaged

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
_head = struct.Struct("!HHHHHH").unpack_from


class DnsError(Damaged):
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
    """Parse questions and the answer section of one DNS message (with dpkt).

    Raises:
        DnsError: the message is cut short or malformed.
    """
    if len(msg) < 12:
        raise DnsError("shorter than a DNS header")
    qd, an = _head(msg, 0)[2:4]
    if qd > 64 or an > 4096:
        raise DnsError(f"implausible counts ({qd} questions, {an} answers)")
    try:
        dns = _Dns(msg)
        out = Message(dns.id, bool(dns.qr), dns.opcode, _rcode(dns.rcode))
        out.questions = [(_name(q.name), type_name(q.type)) for q in dns.qd]
        out.answers = [
            Record(_name(rr.name), type_name(rr.type), rr.ttl, _data(rr)) for rr in dns.an
        ]
    except (dpkt.Error, struct.error, UnicodeDecodeError) as exc:  # dpkt's words for damage
        raise DnsError(_damage(exc)) from None
    return out


class _Rr(dpkt.dns.DNS.RR):  # type: ignore[misc]  # dpkt is untyped
    """A record whose data dpkt decodes only for the types it knows; others stay raw
    (dpkt refuses the message at an unknown type: RRSIG, HTTPS, CAA... are common)."""

    def unpack_rdata(self, buf: bytes, off: int) -> None:
        if self.type in _DPKT_RDATA:
            super().unpack_rdata(buf, off)


class _Dns(dpkt.dns.DNS):  # type: ignore[misc]
    """dpkt's DNS message, reading the question and answer sections only: the others are
    not reported, and damage there must not cost the answers."""

    RR = _Rr

    def unpack(self, buf: bytes) -> None:
        dpkt.Packet.unpack(self, buf)
        off: int = self.__hdr_len__
        counts: tuple[int, int] = _head(buf, 0)[2:4]  # question and answer counts
        questions: list[Any] = []
        answers: list[Any] = []
        for _ in range(counts[0]):
            q, off = self.unpack_q(buf, off)
            questions.append(q)
        for _ in range(counts[1]):
            rr, off = self.unpack_rr(buf, off)
            if rr.rlen > len(rr.rdata):
                raise dpkt.NeedData("answer data cut short")
            answers.append(rr)
        self.qd, self.an = questions, answers
        self.ns: list[Any] = []
        self.ar: list[Any] = []
        self.data = b""


# Record types whose data dpkt decodes (TXT is read here: dpkt insists on UTF-8).
_DPKT_RDATA = frozenset({1, 2, 5, 6, 12, 15, 28, 33})


def _name(name: str) -> str:
    # Wireshark shows the root name as "<Root>"; matching it keeps names comparable.
    return name or "<Root>"


def _data(rr: Any) -> str:
    rtype, raw = rr.type, rr.rdata
    if rtype == 1 and len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw)
    if rtype == 28 and len(raw) == 16:
        return socket.inet_ntop(socket.AF_INET6, raw)
    names = {2: "nsname", 5: "cname", 12: "ptrname", 6: "mname", 15: "mxname"}
    if rtype in names:
        return _name(getattr(rr, names[rtype]))
    if rtype == 33:
        return f"{_name(rr.srvname)}:{rr.port}"
    if rtype in (16, 99):
        return _txt(raw)
    return str(raw.hex())


def _damage(exc: Exception) -> str:
    """A short reason (dpkt's own message may quote the whole packet)."""
    text = str(exc)
    if isinstance(exc, dpkt.NeedData) or text.startswith("invalid "):
        return "cut short or malformed"
    if isinstance(exc, UnicodeDecodeError):
        return "a name is not UTF-8"
    return text[:100] or type(exc).__name__


def _rcode(code: int) -> str:
    return RCODES.get(code, f"RCODE{code}")


def _txt(raw: bytes) -> str:
    parts = []
    i = 0
    while i < len(raw):
        n = raw[i]
        parts.append(raw[i + 1 : i + 1 + n].decode("utf-8", "backslashreplace"))
        i += 1 + n
    return "".join(parts)
