"""``ndp-spoof``: neighbour-discovery spoofing, the IPv6 counterpart of ARP poisoning (IPv6
has no ARP: hosts learn MACs from neighbour advertisements, RFC 4861, which nothing
authenticates unless SEND is deployed). The attacker sends unsolicited advertisements with
the override flag telling the victim that the gateway's IPv6 address is at the attacker's
MAC (and the gateway the same about the victim), every ``interval`` seconds, as THC-IPv6's
``parasite6`` does; then the victim's web login over IPv6 is relayed through the attacker,
each frame captured twice (into the attacker, then forwarded with the hop limit one
lower)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.events.relay import relayed_login
from runner.generate.wire.frames import neighbour_advertisement, neighbour_solicitation
from runner.generate.wire.tcp import MS


class NdpSpoofParams(EventParams):
    attacker: str = Field(description="Host key of the spoofer (on the LAN).")
    victim: str = Field(description="Host key of the poisoned host.")
    gateway: str = Field(description="Host key (or IPv6 address) of the router impersonated.")
    interval: float = Field(2.0, gt=0, le=600, description="Seconds between forged adverts.")
    adverts: int = Field(10, ge=1, le=100_000, description="Forged adverts to each side.")
    site: str = Field("webmail.example.com", description="Site the victim logs in to.")
    site_ip: str = Field("2606:2800:220:1:248:1893:25c8:1946",
                         description="Its IPv6 address (beyond the gateway).")
    username: str = "alice"
    password: str = "Summer2024!"
    relay_at: float = Field(3.0, ge=0, description="Seconds after 'at' the login happens.")


class NdpSpoof(Event):
    type: ClassVar[str] = "ndp-spoof"
    Params = NdpSpoofParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, NdpSpoofParams)
        attacker, victim, gateway = (ctx.node6(r) for r in (params.attacker, params.victim,
                                                            params.gateway))
        if ":" not in params.site_ip:
            raise ValueError("site_ip must be an IPv6 address: the relayed login is IPv6")
        t = ctx.time(params.at)
        # the victim resolves the gateway first and learns its real MAC
        ctx.sink.add(t, neighbour_solicitation(victim.mac, victim.ip, gateway.ip))
        ctx.sink.add(t + MS, neighbour_advertisement(
            gateway.mac, gateway.ip, victim.mac, victim.ip, gateway.ip, gateway.mac,
            router=True, solicited=True))
        t += int(ctx.rng.uniform(0.5, 2) * NS)
        for _ in range(params.adverts):
            ctx.sink.add(t, neighbour_advertisement(
                attacker.mac, gateway.ip, victim.mac, victim.ip, gateway.ip, attacker.mac,
                router=True, solicited=False))
            ctx.sink.add(t + MS, neighbour_advertisement(
                attacker.mac, victim.ip, gateway.mac, gateway.ip, victim.ip, attacker.mac,
                router=False, solicited=False))
            t += int(params.interval * NS * ctx.rng.uniform(0.95, 1.05))
        relayed = relayed_login(ctx, victim, attacker, gateway, params.site, params.site_ip,
                                params.username, params.password, params.at + params.relay_at)
        return {"attacker": attacker.ip, "attacker_mac": attacker.mac, "victim": victim.ip,
                "victim_mac": victim.mac, "gateway": gateway.ip, "gateway_mac": gateway.mac,
                "forged_adverts": 2 * params.adverts, "relayed_frames": relayed,
                "site": params.site, "username": params.username, "password": params.password}
