"""TLS 1.3 handshakes as they appear on the wire before encryption: a ClientHello with
SNI and ALPN, the ServerHello, a ChangeCipherSpec, then opaque application-data records.

Only the cleartext start is meaningful (SNI, versions, ciphers, JA3-style fields); the
encrypted part is random bytes, which is all a capture shows of real TLS 1.3 anyway.
"""

from __future__ import annotations

import random
import struct

_CIPHERS = (0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8)
_GROUPS = (0x001D, 0x0017, 0x0018)


def _ext(kind: int, body: bytes) -> bytes:
    return struct.pack("!HH", kind, len(body)) + body


def _vec8(data: bytes) -> bytes:
    return bytes([len(data)]) + data


def _vec16(data: bytes) -> bytes:
    return struct.pack("!H", len(data)) + data


def record(content_type: int, body: bytes, version: int = 0x0303) -> bytes:
    """One TLS record."""
    return struct.pack("!BHH", content_type, version, len(body)) + body


def _handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def client_hello(sni: str, rng: random.Random, alpn: tuple[str, ...] = ("h2", "http/1.1")) -> bytes:
    """A TLS 1.3 ClientHello record naming ``sni``."""
    name = sni.encode("idna")
    exts = b"".join((
        _ext(0x0000, _vec16(b"\x00" + _vec16(name))),
        _ext(0x000A, _vec16(b"".join(struct.pack("!H", g) for g in _GROUPS))),
        _ext(0x000B, _vec8(b"\x00")),
        _ext(0x000D, _vec16(struct.pack("!6H", 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501))),
        _ext(0x0010, _vec16(b"".join(_vec8(p.encode()) for p in alpn))) if alpn else b"",
        _ext(0x002B, _vec8(struct.pack("!HH", 0x0304, 0x0303))),
        _ext(0x0033, _vec16(struct.pack("!HH", 0x001D, 32) + rng.randbytes(32))),
    ))
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + _vec8(rng.randbytes(32))
            + _vec16(b"".join(struct.pack("!H", c) for c in _CIPHERS)) + _vec8(b"\x00")
            + _vec16(exts))
    return record(0x16, _handshake(1, body), 0x0301)


def server_flight(rng: random.Random, encrypted: int = 2400) -> bytes:
    """ServerHello (TLS 1.3 chosen), ChangeCipherSpec, and the encrypted rest of the
    handshake (certificate, finished) as application-data records."""
    exts = (_ext(0x002B, struct.pack("!H", 0x0304))
            + _ext(0x0033, struct.pack("!HH", 0x001D, 32) + rng.randbytes(32)))
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + _vec8(rng.randbytes(32))
            + struct.pack("!HB", 0x1301, 0) + _vec16(exts))
    return (record(0x16, _handshake(2, body)) + record(0x14, b"\x01")
            + application_data(rng, encrypted))


def client_finish(rng: random.Random) -> bytes:
    """The client's ChangeCipherSpec and encrypted Finished."""
    return record(0x14, b"\x01") + record(0x17, rng.randbytes(53))


def application_data(rng: random.Random, size: int) -> bytes:
    """``size`` bytes of encrypted application data, in records of at most 16 KiB."""
    out = []
    while size > 0:
        chunk = min(size, 16401)
        out.append(record(0x17, rng.randbytes(chunk)))
        size -= chunk
    return b"".join(out)
