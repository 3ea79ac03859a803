"""``wifi-beacons``: an access point announcing its network (beacons every ~102 ms, as
``interval`` sets) and stations probing for networks (probe requests, answered by the AP
when they name its SSID or none)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams, Link
from runner.generate.wire import dot11
from runner.generate.wire.tcp import MS


class WifiBeaconsParams(EventParams):
    ap: str = Field(description="Host key or MAC of the access point (its BSSID).")
    ssid: str = Field(min_length=1, max_length=32)
    channel: int = Field(6, ge=1, le=14)
    beacons: int = Field(50, ge=0, le=1_000_000)
    interval: float = Field(0.1024, gt=0, le=10, description="Seconds between beacons.")
    probes: dict[str, list[str]] = Field(default_factory=dict, description="Station (host key "
                                         "or MAC) -> SSIDs it probes for ('' for any).")


class WifiBeacons(Event):
    type: ClassVar[str] = "wifi-beacons"
    Params = WifiBeaconsParams
    link: ClassVar[Link] = "radiotap"

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, WifiBeaconsParams)
        bssid, t0 = ctx.mac(params.ap), ctx.time(params.at)
        head = dot11.radiotap(params.channel, -42)
        seq = ctx.rng.randrange(4096)
        for i in range(params.beacons):
            t = t0 + int(i * params.interval * NS)
            ctx.sink.add(t, head + dot11.beacon(bssid, params.ssid, params.channel, seq,
                                                (t - t0) // 1000))
            seq = (seq + 1) % 4096
        span = max(params.beacons * params.interval, 1.0)
        probed: dict[str, list[str]] = {}
        for station, ssids in params.probes.items():
            mac = ctx.mac(station)
            probed[mac] = ssids
            for ssid in ssids:
                t = t0 + int(ctx.rng.uniform(0, span) * NS)
                sseq = ctx.rng.randrange(4096)
                ctx.sink.add(t, dot11.radiotap(params.channel, -60)
                             + dot11.probe_request(mac, ssid, sseq))
                if ssid in ("", params.ssid):
                    ctx.sink.add(t + 2 * MS, head + dot11.probe_response(
                        bssid, mac, params.ssid, params.channel, seq, (t - t0) // 1000))
                    seq = (seq + 1) % 4096
        return {"bssid": bssid, "ssid": params.ssid, "channel": params.channel,
                "beacons": params.beacons, "probes": probed}
