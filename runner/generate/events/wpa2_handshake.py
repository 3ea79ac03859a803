"""``wpa2-handshake``: a station joining a WPA2-PSK network: beacons, authentication,
association and the EAPOL 4-way handshake with nonces drawn per seed and MICs computed
from the real passphrase, so ``aircrack-ng -w WORDLIST`` recovers it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams, Link
from runner.generate.wire import dot11
from runner.generate.wire.tcp import MS

_M1, _M2, _M3, _M4 = 0x008A, 0x010A, 0x13CA, 0x030A  # key information per message


class Wpa2HandshakeParams(EventParams):
    ap: str = Field(description="Host key or MAC of the access point.")
    client: str = Field(description="Host key or MAC of the joining station.")
    ssid: str = Field(min_length=1, max_length=32)
    passphrase: str = Field(min_length=8, max_length=63, description="WPA2 passphrase.")
    channel: int = Field(6, ge=1, le=14)
    beacons: int = Field(10, ge=1, le=10_000, description="Beacons before the client joins.")


class Wpa2Handshake(Event):
    type: ClassVar[str] = "wpa2-handshake"
    Params = Wpa2HandshakeParams
    link: ClassVar[Link] = "radiotap"

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, Wpa2HandshakeParams)
        ap, sta, rng = ctx.mac(params.ap), ctx.mac(params.client), ctx.rng
        ap_head, sta_head = dot11.radiotap(params.channel, -45), dot11.radiotap(params.channel, -55)
        t0 = ctx.time(params.at)
        seq = {ap: rng.randrange(4096), sta: rng.randrange(4096)}

        def put(t: int, who: str, frame_of_seq: Any) -> None:
            ctx.sink.add(t, (ap_head if who == ap else sta_head) + frame_of_seq(seq[who]))
            seq[who] = (seq[who] + 1) % 4096

        for i in range(params.beacons):
            t = t0 + int(i * 0.1024 * NS)
            put(t, ap, lambda s, t=t: dot11.beacon(ap, params.ssid, params.channel, s,
                                                  (t - t0) // 1000))
        t = t0 + int(params.beacons * 0.1024 * NS)
        put(t, sta, lambda s: dot11.authentication(sta, ap, ap, 1, s))
        put(t + MS, ap, lambda s: dot11.authentication(ap, sta, ap, 2, s))
        put(t + 2 * MS, sta, lambda s: dot11.association(sta, ap, params.ssid, params.channel,
                                                          s, False))
        put(t + 3 * MS, ap, lambda s: dot11.association(sta, ap, params.ssid, params.channel,
                                                         s, True))
        anonce, snonce = rng.randbytes(32), rng.randbytes(32)
        kck = dot11.ptk(dot11.pmk(params.passphrase, params.ssid), ap, sta, anonce, snonce)[:16]
        rsn_ie = bytes([48, len(dot11.RSN)]) + dot11.RSN
        messages = [
            (ap, dot11.eapol_key(_M1, 1, anonce)),
            (sta, dot11.with_mic(dot11.eapol_key(_M2, 1, snonce, rsn_ie, 0), kck)),
            (ap, dot11.with_mic(dot11.eapol_key(_M3, 2, anonce, rng.randbytes(56)), kck)),
            (sta, dot11.with_mic(dot11.eapol_key(_M4, 2, b"\x00" * 32, b"", 0), kck)),
        ]
        t += 10 * MS
        for who, eapol in messages:
            dst = sta if who == ap else ap
            put(t, who, lambda s, e=eapol, w=who, d=dst: dot11.eapol_data(e, w, d, ap, w == ap, s))
            t += int(rng.uniform(1, 4) * MS)
        return {"bssid": ap, "client": sta, "ssid": params.ssid, "channel": params.channel,
                "passphrase": params.passphrase, "anonce": anonce.hex(), "snonce": snonce.hex()}
