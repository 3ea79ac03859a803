"""What ARP and NDP poisoning share: the victim's login to a web site, relayed by the man in
the middle, as a capture on the attacker's port shows it."""

from __future__ import annotations

import struct
from urllib.parse import quote_plus

from runner.generate.events.base import EventContext
from runner.generate.wire.checksum import checksum
from runner.generate.wire.frames import Node, mac_bytes
from runner.generate.wire.sink import Sink
from runner.generate.wire.tcp import MS, TcpFlow


def relayed_login(ctx: EventContext, victim: Node, attacker: Node, gateway: Node, site: str,
                  site_ip: str, username: str, password: str, at: float) -> int:
    """The victim's HTTP form login to ``site`` at ``at`` seconds, each frame captured twice:
    into the attacker's MAC and forwarded on (TTL or hop limit one lower). Returns how many
    frames the session had."""
    remote = Node(site_ip, gateway.mac, 52, 65535)
    side = Sink()
    flow = TcpFlow(side, victim, remote, ctx.rng.randrange(49152, 65535), 80, ctx.rng,
                   rtt_ms=40.0)
    form = f"user={quote_plus(username)}&pass={quote_plus(password)}"
    request = (f"POST /login HTTP/1.1\r\nHost: {site}\r\nContent-Type: application/"
               f"x-www-form-urlencoded\r\nContent-Length: {len(form)}\r\n\r\n{form}").encode()
    response = b"HTTP/1.1 302 Found\r\nLocation: /inbox\r\nContent-Length: 0\r\n\r\n"
    start = ctx.time(at)
    flow.close(flow.exchange(flow.open(start), request, response, 30.0) + 50 * MS)
    return _relay(ctx.sink, side, victim, attacker, gateway)


def _relay(sink: Sink, side: Sink, victim: Node, attacker: Node, gateway: Node) -> int:
    """Each frame of ``side`` twice: into the attacker, and forwarded on (TTL - 1)."""
    me, them = mac_bytes(attacker.mac), mac_bytes(victim.mac)
    router = mac_bytes(gateway.mac)
    for t, _, frame in side.records:
        outbound = frame[6:12] == them
        first = (me + frame[6:12] if outbound else me + router) + frame[12:]
        sink.add(t, first)
        forwarded = (router if outbound else them) + me + frame[12:]
        sink.add(t + 60_000, _one_hop_later(forwarded))
    return len(side.records)


def _one_hop_later(frame: bytes) -> bytes:
    if frame[12:14] == b"\x86\xdd":  # IPv6: the hop limit, no header checksum
        return frame[:21] + bytes([frame[21] - 1]) + frame[22:]
    head = bytearray(frame[14:34])
    head[8] -= 1
    head[10:12] = b"\x00\x00"
    struct.pack_into("!H", head, 10, checksum(bytes(head)))
    return frame[:14] + bytes(head) + frame[34:]
