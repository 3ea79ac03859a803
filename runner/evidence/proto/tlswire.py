"""Parse the cleartext start of a TLS connection: ClientHello and ServerHello.

Only the handshake is read, never application data (it is encrypted). Handshake
messages may span several records; the record payloads are joined first.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

VERSIONS = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
}
_u16 = struct.Struct("!H").unpack_from


class TlsError(ValueError):
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

    Raises:
        TlsError: not a handshake, or cut short.
    """
    body, ends = bytearray(), []
    pos = 0
    while pos + 5 <= len(data) and data[pos] == 0x16:
        size = _u16(data, pos + 3)[0]
        body += data[pos + 5 : pos + 5 + size]
        pos += 5 + size
        ends.append(min(pos, len(data)))
        if len(body) >= 4 and len(body) >= 4 + (body[1] << 16 | body[2] << 8 | body[3]):
            break
    if len(body) < 4 or body[0] not in (1, 2):
        raise TlsError("no ClientHello or ServerHello")
    length = body[1] << 16 | body[2] << 8 | body[3]
    msg = bytes(body[4 : 4 + length])
    if len(msg) < length or length < 38:
        raise TlsError("hello cut short")
    hello = Hello(body[0], ends[-1], _u16(msg, 0)[0])
    pos = 34 + 1 + msg[34]  # version, random, session id
    if hello.kind == 1:
        n = _u16(msg, pos)[0]
        hello.ciphers = [_u16(msg, pos + 2 + i)[0] for i in range(0, n - 1, 2)]
        pos += 2 + n
        pos += 1 + msg[pos]  # compression methods
    else:
        hello.ciphers = [_u16(msg, pos)[0]]
        pos += 3
    if pos + 2 <= len(msg):
        _extensions(hello, msg, pos + 2, min(pos + 2 + _u16(msg, pos)[0], len(msg)))
    return hello


def _extensions(hello: Hello, msg: bytes, pos: int, end: int) -> None:
    while pos + 4 <= end:
        etype, size = _u16(msg, pos)[0], _u16(msg, pos + 2)[0]
        data = msg[pos + 4 : pos + 4 + size]
        pos += 4 + size
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
