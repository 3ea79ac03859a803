"""Parse the cleartext start of a TLS connection: ClientHello and ServerHello.

Only the handshake is read, never application data (it is encrypted). Handshake
messages may span several records; the record payloads are joined first. dpkt decodes
records and hellos; damage it reports becomes :class:`TlsError`, anything else it
raises is a bug and propagates.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import dpkt

from runner.evidence.damage import Damaged

VERSIONS = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
}
_u16 = struct.Struct("!H").unpack_from


class TlsError(Damaged):
    """The bytes are not a readable TLS handshake."""


@dataclass
class Hello:
    """A ClientHello (kind 1) or ServerHello (kind 2).

    Attributes:
        end: offset in the stream just after the record holding the hello's last byte.
        version: the legacy version field.
        versions: supported_versions extension (client: offered; server: chosen).
    """

    kind: int
    end: int
    version: int
    sni: str = ""
    versions: list[int] = field(default_factory=list)
    alpn: list[str] = field(default_factory=list)
    ciphers: list[int] = field(default_factory=list)


def version_name(code: int) -> str:
    """``TLS 1.2`` style name, or hex for unknown values."""
    return VERSIONS.get(code, f"0x{code:04x}")


def is_grease(code: int) -> bool:
    """GREASE values (RFC 8701) are noise a client adds; they are not real versions."""
    return code & 0x0F0F == 0x0A0A and code >> 8 == code & 0xFF


def looks_like_tls(payload: bytes) -> bool:
    """A handshake record with a plausible version."""
    return len(payload) >= 6 and payload[0] == 0x16 and payload[1] == 3 and payload[2] <= 4


def first_hello(data: bytes) -> Hello:
    """Read the first handshake message of a direction (ClientHello or ServerHello).

    Records and the hello are decoded with dpkt; the extensions dflab reports (SNI,
    supported_versions, ALPN) are read from dpkt's (type, bytes) pairs.

    Raises:
        TlsError: not a handshake, or cut short.
    """
    body, end, pos = b"", 0, 0
    try:
        while pos < len(data) and data[pos] == 0x16:  # handshake records, joined
            record = dpkt.ssl.TLSRecord(data[pos:])
            body += record.data
            pos = end = pos + 5 + record.length
            if len(body) >= 4 and len(body) >= 4 + int.from_bytes(body[1:4], "big"):
                break
    except dpkt.NeedData:
        pass  # the capture ends inside a record: what came before may hold the hello
    if len(body) < 4 or body[0] not in (1, 2):
        raise TlsError("no ClientHello or ServerHello")
    try:
        shake = dpkt.ssl.TLSHandshake(body)
        msg = shake.data
        hello = Hello(shake.type, end, msg.version)
        if hello.kind == 1:
            hello.ciphers = [c.code for c in msg.ciphersuites]
        else:
            hello.ciphers = [msg.ciphersuite.code]
    except (dpkt.Error, struct.error) as exc:  # dpkt's words for a damaged hello
        raise TlsError(f"hello cut short or damaged ({type(exc).__name__})") from None
    _extensions(hello, getattr(msg, "extensions", []))
    return hello


def _extensions(hello: Hello, extensions: list[tuple[int, bytes]]) -> None:
    for etype, data in extensions:
        if etype == 0 and len(data) >= 5:  # server_name: first host_name entry
            hello.sni = data[5 : 5 + _u16(data, 3)[0]].decode("ascii", "backslashreplace")
        elif etype == 43:  # supported_versions
            if hello.kind == 2 and len(data) >= 2:
                hello.versions = [_u16(data, 0)[0]]
            elif data:
                raw = data[1 : 1 + data[0]]
                codes = [_u16(raw, i)[0] for i in range(0, len(raw) - 1, 2)]
                hello.versions = [v for v in codes if not is_grease(v)]
        elif etype == 16 and len(data) >= 2:  # ALPN
            i = 2
            while i < len(data):
                hello.alpn.append(data[i + 1 : i + 1 + data[i]].decode("ascii", "replace"))
                i += 1 + data[i]
