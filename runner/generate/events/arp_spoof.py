"""``arp-spoof``: ARP poisoning and a man in the middle. The attacker tells the victim that
the gateway's address is at the attacker's MAC (and the gateway the same about the victim)
every ``interval`` seconds, then relays the victim's web traffic: each relayed frame is
captured twice, once to the attacker's MAC and once forwarded (TTL one lower), as a capture
on the attacker's port shows it. The relayed session is an HTTP form login, so the
stolen credentials are in the capture."""

from __future__ import annotations

import struct
from typing import Any, ClassVar
from urllib.parse import quote_plus

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.wire.checksum import checksum
from runner.generate.wire.frames import Node, arp_frame, mac_bytes
from runner.generate.wire.sink import Sink
from runner.generate.wire.tcp import MS, TcpFlow


class ArpSpoofParams(EventParams):
    attacker: str = Field(description="Host key of the poisoner (on the LAN).")
    victim: str = Field(description="Host key of the poisoned host.")
    gateway: str = Field(description="Host key (or IPv4 address) of the router impersonated.")
    interval: float = Field(2.0, gt=0, le=600, description="Seconds between forged replies.")
    replies: int = Field(10, ge=1, le=100_000, description="Forged replies to each side.")
    site: str = Field("webmail.example.com", description="Site the victim logs in to.")
    site_ip: str = Field("93.184.216.34", description="Its address (beyond the gateway).")
    username: str = "alice"
    password: str = "Summer2024!"
    relay_at: float = Field(3.0, ge=0, description="Seconds after 'at' the login happens.")


class ArpSpoof(Event):
    type: ClassVar[str] = "arp-spoof"
    Params = ArpSpoofParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, ArpSpoofParams)
        attacker, victim, gateway = (ctx.node(r) for r in (params.attacker, params.victim,
                                                           params.gateway))
        if any(":" in n.ip for n in (attacker, victim, gateway)):
            raise ValueError("ARP poisoning is IPv4 (IPv6 has neighbour discovery); give "
                             "attacker, victim and gateway IPv4 addresses")
        t = ctx.time(params.at)
        # the victim learns the gateway's real MAC first, as it had before the attack
        ctx.sink.add(t, arp_frame(1, victim.mac, victim.ip, "", gateway.ip))
        ctx.sink.add(t + MS, arp_frame(2, gateway.mac, gateway.ip, victim.mac, victim.ip))
        t += int(ctx.rng.uniform(0.5, 2) * NS)
        for _ in range(params.replies):
            ctx.sink.add(t, arp_frame(2, attacker.mac, gateway.ip, victim.mac, victim.ip))
            ctx.sink.add(t + MS, arp_frame(2, attacker.mac, victim.ip, gateway.mac, gateway.ip))
            t += int(params.interval * NS * ctx.rng.uniform(0.95, 1.05))
        remote = Node(params.site_ip, gateway.mac, 52, 65535)
        side = Sink()
        flow = TcpFlow(side, victim, remote, ctx.rng.randrange(49152, 65535), 80, ctx.rng,
                       rtt_ms=40.0)
        form = f"user={quote_plus(params.username)}&pass={quote_plus(params.password)}"
        request = (f"POST /login HTTP/1.1\r\nHost: {params.site}\r\nContent-Type: application/"
                   f"x-www-form-urlencoded\r\nContent-Length: {len(form)}\r\n\r\n{form}").encode()
        response = b"HTTP/1.1 302 Found\r\nLocation: /inbox\r\nContent-Length: 0\r\n\r\n"
        start = ctx.time(params.at + params.relay_at)
        flow.close(flow.exchange(flow.open(start), request, response, 30.0) + 50 * MS)
        relayed = _relay(ctx.sink, side, victim, attacker, gateway)
        return {"attacker": attacker.ip, "attacker_mac": attacker.mac, "victim": victim.ip,
                "victim_mac": victim.mac, "gateway": gateway.ip, "gateway_mac": gateway.mac,
                "forged_replies": 2 * params.replies, "relayed_frames": relayed,
                "site": params.site, "username": params.username, "password": params.password}


def _relay(sink: Sink, side: Sink, victim: Node, attacker: Node, gateway: Node) -> int:
    """Each frame of ``side`` twice: into the attacker, and forwarded on (TTL - 1)."""
    me, them = mac_bytes(attacker.mac), mac_bytes(victim.mac)
    router = mac_bytes(gateway.mac)
    for t, _, frame in side.records:
        outbound = frame[6:12] == them
        first = (me + frame[6:12] if outbound else me + router) + frame[12:]
        sink.add(t, first)
        forwarded = (router if outbound else them) + me + frame[12:]
        sink.add(t + 60_000, _ttl_minus_one(forwarded))
    return len(side.records)


def _ttl_minus_one(frame: bytes) -> bytes:
    head = bytearray(frame[14:34])
    head[8] -= 1
    head[10:12] = b"\x00\x00"
    struct.pack_into("!H", head, 10, checksum(bytes(head)))
    return frame[:14] + bytes(head) + frame[34:]
