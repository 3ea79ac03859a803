"""``icmp-tunnel``: a file carried in ICMP echo requests (ptunnel/icmpsh style): fixed-size
chunks with a small sequence header, each echoed back by the other end."""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.events.payload import PayloadSpec, digests, payload_bytes
from runner.generate.wire.frames import PROTO_ICMP, IpPath
from runner.generate.wire.tcp import MS

MAGIC = b"TUN1"


class IcmpTunnelParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) sending the data.")
    server: str = Field(description="Host key (or IPv4 address) receiving it.")
    payload: PayloadSpec = Field(default_factory=lambda: PayloadSpec(name="data.bin", size=8000))
    chunk: int = Field(512, ge=16, le=1400, description="Data bytes per echo request.")
    interval: float = Field(0.05, gt=0, le=3600, description="Seconds between requests.")


def decode(payloads: list[bytes]) -> bytes:
    """The file carried by the tunnel's echo-request payloads (in any order)."""
    parts = {}
    for data in payloads:
        if data[:4] == MAGIC:
            seq, length = struct.unpack("!IH", data[4:10])
            parts[seq] = data[10:10 + length]
    return b"".join(parts[i] for i in sorted(parts))


class IcmpTunnel(Event):
    type: ClassVar[str] = "icmp-tunnel"
    Params = IcmpTunnelParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, IcmpTunnelParams)
        client, server = ctx.node(params.client), ctx.node(params.server)
        data = payload_bytes(params.payload, ctx.gen, ctx.rng)
        out = IpPath(client, server, PROTO_ICMP, ctx.rng.getrandbits(16))
        back = IpPath(server, client, PROTO_ICMP, ctx.rng.getrandbits(16), df=False)
        ident, t = ctx.rng.getrandbits(16), ctx.time(params.at)
        count = 0
        for seq, start in enumerate(range(0, len(data), params.chunk)):
            piece = data[start:start + params.chunk]
            body = MAGIC + struct.pack("!IH", seq, len(piece)) + piece
            ctx.sink.add(t, out.frame(out.icmp(8, 0, ident, (seq + 1) & 0xFFFF, body)))
            ctx.sink.add(t + int(ctx.rng.uniform(10, 40) * MS),
                         back.frame(back.icmp(0, 0, ident, (seq + 1) & 0xFFFF, body)))
            t += int(params.interval * NS * ctx.rng.uniform(0.8, 1.2))
            count += 1
        return {"client": client.ip, "server": server.ip, "requests": count,
                "file": params.payload.name, **digests(data, ctx.gen, params.payload.name)}
