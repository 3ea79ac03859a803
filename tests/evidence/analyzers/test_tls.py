"""TLS: ClientHello SNI and offered versions (GREASE ignored), ServerHello chosen version."""

from __future__ import annotations

import struct

from evidence.conftest import Analyze
from runner.evidence import craft


def _ext(etype: int, data: bytes) -> bytes:
    return struct.pack("!HH", etype, len(data)) + data


def _record(hs_type: int, body: bytes) -> bytes:
    handshake = bytes([hs_type]) + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def client_hello(sni: str) -> bytes:
    name = sni.encode()
    sni_ext = _ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
    versions = _ext(43, bytes([6]) + struct.pack("!HHH", 0x1A1A, 0x0304, 0x0303))
    alpn = _ext(16, struct.pack("!H", 3) + b"\x02h2")
    exts = sni_ext + versions + alpn
    body = struct.pack("!H", 0x0303) + bytes(32) + b"\x00" + struct.pack("!HHH", 4, 0x1301, 0x1302)
    body += b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    return _record(1, body)


def server_hello() -> bytes:
    exts = _ext(43, struct.pack("!H", 0x0304))
    body = struct.pack("!H", 0x0303) + bytes(32) + b"\x00" + struct.pack("!HB", 0x1301, 0)
    return _record(2, body + struct.pack("!H", len(exts)) + exts)


def test_client_and_server_hello_on_any_port(run: Analyze) -> None:
    frames = craft.tcp_session(
        [(True, client_hello("c2.example")), (False, server_hello())], sport=8443
    )
    facts = run(frames, "tls")
    (hello,) = facts.tables["tls.client_hellos"]
    assert (hello["frame"], hello["sni"], hello["server_port"]) == (4, "c2.example", 8443)
    assert hello["supported_versions"] == "TLS 1.3,TLS 1.2"
    assert (hello["max_version"], hello["alpn"], hello["cipher_count"]) == ("TLS 1.3", "h2", 2)
    (reply,) = facts.tables["tls.server_hellos"]
    assert (reply["version"], reply["cipher"]) == ("TLS 1.3", "0x1301")


def test_hello_split_across_segments(run: Analyze) -> None:
    frames = craft.tcp_session([(True, client_hello("split.example"))], sport=443, mss=20)
    (hello,) = run(frames, "tls").tables["tls.client_hellos"]
    assert hello["sni"] == "split.example"
    assert hello["frame"] == 3 + len(client_hello("split.example")) // 20 + 1


def test_truncated_hello_warns(run: Analyze) -> None:
    frames = craft.tcp_session([(True, client_hello("x.example")[:30])], sport=443)
    facts = run(frames, "tls")
    assert facts.tables["tls.client_hellos"] == []
    assert any("unreadable TLS hello" in w for w in facts.warnings)
