"""``wifi-deauth``: a deauthentication flood (aireplay-ng -0): forged deauthentication frames
"from" the access point to one station (or everyone), in bursts."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams, Link
from runner.generate.wire import dot11
from runner.generate.wire.tcp import MS

BROADCAST = "ff:ff:ff:ff:ff:ff"


class WifiDeauthParams(EventParams):
    ap: str = Field(description="Host key or MAC of the access point impersonated.")
    target: str = Field(BROADCAST, description="Station (host key or MAC), or broadcast.")
    count: int = Field(64, ge=1, le=1_000_000, description="Deauthentication frames.")
    reason: int = Field(7, ge=0, le=65535, description="Reason code (7: class 3 frame from "
                        "a nonassociated station, as aireplay-ng sends).")
    channel: int = Field(6, ge=1, le=14)
    rate: float = Field(100.0, gt=0, le=10_000, description="Frames per second.")


class WifiDeauth(Event):
    type: ClassVar[str] = "wifi-deauth"
    Params = WifiDeauthParams
    link: ClassVar[Link] = "radiotap"

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, WifiDeauthParams)
        bssid = ctx.mac(params.ap)
        target = BROADCAST if params.target == BROADCAST else ctx.mac(params.target)
        head = dot11.radiotap(params.channel, -30)  # the attacker is close: a strong signal
        t, seq = ctx.time(params.at), ctx.rng.randrange(4096)
        for _ in range(params.count):
            ctx.sink.add(t, head + dot11.deauth(bssid, target, bssid, params.reason, seq))
            seq = (seq + 1) % 4096
            t += int(NS / params.rate * ctx.rng.uniform(0.9, 1.1))
            if ctx.rng.random() < 0.02:
                t += 100 * MS  # aireplay-ng pauses between bursts
        return {"bssid": bssid, "target": target, "count": params.count,
                "reason": params.reason}
