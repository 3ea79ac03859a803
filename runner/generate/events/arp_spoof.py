"""``arp-spoof``: ARP poisoning and a man in the middle. The attacker tells the victim that
the gateway's address is at the attacker's MAC (and the gateway the same about the victim)
every ``interval`` seconds, then relays the victim's web traffic: each relayed frame is
captured twice, once to the attacker's MAC and once forwarded (TTL one lower), as a capture
on the attacker's port shows it. The relayed session is an HTTP form login, so the
stolen credentials are in the capture."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.events.relay import relayed_login
from runner.generate.wire.frames import arp_frame
from runner.generate.wire.tcp import MS


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
            raise ValueError("ARP resolves IPv4 addresses only (IPv6 has neighbour discovery: "
                             "use ndp-spoof); give attacker, victim and gateway IPv4 addresses")
        t = ctx.time(params.at)
        # the victim learns the gateway's real MAC first, as it had before the attack
        ctx.sink.add(t, arp_frame(1, victim.mac, victim.ip, "", gateway.ip))
        ctx.sink.add(t + MS, arp_frame(2, gateway.mac, gateway.ip, victim.mac, victim.ip))
        t += int(ctx.rng.uniform(0.5, 2) * NS)
        for _ in range(params.replies):
            ctx.sink.add(t, arp_frame(2, attacker.mac, gateway.ip, victim.mac, victim.ip))
            ctx.sink.add(t + MS, arp_frame(2, attacker.mac, victim.ip, gateway.mac, gateway.ip))
            t += int(params.interval * NS * ctx.rng.uniform(0.95, 1.05))
        relayed = relayed_login(ctx, victim, attacker, gateway, params.site, params.site_ip,
                                params.username, params.password, params.at + params.relay_at)
        return {"attacker": attacker.ip, "attacker_mac": attacker.mac, "victim": victim.ip,
                "victim_mac": victim.mac, "gateway": gateway.ip, "gateway_mac": gateway.mac,
                "forged_replies": 2 * params.replies, "relayed_frames": relayed,
                "site": params.site, "username": params.username, "password": params.password}

