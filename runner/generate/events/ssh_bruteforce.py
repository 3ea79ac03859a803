"""``ssh-bruteforce``: many short SSH sessions from one client, each a full key exchange
(version banners, KEXINIT, curve25519 ECDH, NEWKEYS) followed by a few encrypted packets:
what password guessing against SSH looks like on the wire. The last session can succeed
and run longer."""

from __future__ import annotations

import random
import struct
from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.wire.tcp import MS, TcpFlow

_LISTS = ("curve25519-sha256,ecdh-sha2-nistp256", "ssh-rsa,rsa-sha2-512",
          "chacha20-poly1305@openssh.com,aes128-ctr", "chacha20-poly1305@openssh.com,aes128-ctr",
          "umac-64-etm@openssh.com,hmac-sha2-256", "umac-64-etm@openssh.com,hmac-sha2-256",
          "none,zlib@openssh.com", "none,zlib@openssh.com", "", "")


class SshBruteforceParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) guessing passwords.")
    server: str = Field(description="Host key (or IPv4 address) of the SSH server.")
    port: int = Field(22, ge=1, le=65535)
    sessions: int = Field(20, ge=1, le=100_000, description="Connections (one guess each).")
    success: bool = Field(False, description="Whether the last session logs in.")
    interval: float = Field(2.0, gt=0, le=3600, description="Seconds between sessions.")
    client_banner: str = "SSH-2.0-libssh_0.9.6"
    server_banner: str = "SSH-2.0-OpenSSH_7.4"


def _string(data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + data


def packet(payload: bytes, rng: random.Random) -> bytes:
    """One unencrypted SSH binary packet (RFC 4253 §6), padded to 8-byte blocks."""
    pad = 8 - (5 + len(payload)) % 8
    pad += 8 if pad < 4 else 0
    return struct.pack("!IB", 1 + len(payload) + pad, pad) + payload + rng.randbytes(pad)


def kexinit(rng: random.Random) -> bytes:
    lists = b"".join(_string(n.encode()) for n in _LISTS)
    return packet(b"\x14" + rng.randbytes(16) + lists + b"\x00" + b"\x00" * 4, rng)


def encrypted(rng: random.Random, size: int) -> bytes:
    """An encrypted packet (chacha20-poly1305: 4-byte length, body, 16-byte tag)."""
    return rng.randbytes(4 + size + 16)


class SshBruteforce(Event):
    type: ClassVar[str] = "ssh-bruteforce"
    Params = SshBruteforceParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, SshBruteforceParams)
        client, server = ctx.node(params.client), ctx.node(params.server)
        t, rng = ctx.time(params.at), ctx.rng
        for number in range(params.sessions):
            flow = TcpFlow(ctx.sink, client, server, rng.randrange(40000, 61000), params.port,
                           rng, rtt_ms=rng.uniform(1, 4))
            ok = params.success and number == params.sessions - 1
            _session(flow, flow.open(t), params, ok, rng)
            t += int(params.interval * NS * rng.uniform(0.7, 1.3))
        return {"client": client.ip, "server": server.ip, "port": params.port,
                "sessions": params.sessions, "success": params.success}


def _session(flow: TcpFlow, t: int, p: SshBruteforceParams, ok: bool, rng: random.Random) -> None:
    t = flow.send(t + 2 * MS, False, p.server_banner.encode() + b"\r\n")
    t = flow.send(t + MS, True, p.client_banner.encode() + b"\r\n")
    t = flow.send(t + MS, True, kexinit(rng))
    t = flow.send(t + MS, False, kexinit(rng))
    t = flow.send(t + MS, True, packet(b"\x1e" + _string(rng.randbytes(32)), rng))
    modulus = b"\x00\xc3" + rng.randbytes(255)  # a 2048-bit RSA modulus (mpint)
    host_key = _string(b"ssh-rsa") + _string(b"\x01\x00\x01") + _string(modulus)
    signature = _string(b"ssh-rsa") + _string(rng.randbytes(256))
    reply = packet(b"\x1f" + _string(host_key) + _string(rng.randbytes(32)) + _string(signature),
                   rng) + packet(b"\x15", rng)
    t = flow.send(t + 3 * MS, False, reply)
    t = flow.send(t + MS, True, packet(b"\x15", rng))
    for request, answer in ((32, 32), (64, 48), (80, 48)):  # service, auth none, password
        t = flow.send(t + 2 * MS, True, encrypted(rng, request))
        t = flow.send(t + (400 if request == 80 else 2) * MS, False, encrypted(rng, answer))
    if ok:
        for _ in range(8):
            t = flow.send(t + 300 * MS, True, encrypted(rng, 48))
            t = flow.send(t + 5 * MS, False, encrypted(rng, rng.randrange(48, 1200)))
    flow.close(t + 5 * MS, by_client=True)
