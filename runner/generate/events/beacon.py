"""``beacon``: command-and-control check-ins at a fixed interval with jitter, over HTTP (GET
with a session cookie, a small encoded answer) or TLS (SNI of the C2 domain), one short
connection per check-in as common implants make them."""

from __future__ import annotations

import base64
from typing import Any, ClassVar, Literal

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.wire import tls
from runner.generate.wire.tcp import MS, TcpFlow


class BeaconParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) of the infected host.")
    server: str = Field(description="Host key (or IPv4 address) of the C2 server.")
    protocol: Literal["http", "https"] = "http"
    domain: str = Field("cdn-update.test", description="Host header / SNI.")
    uri: str = Field("/api/v2/status", description="HTTP: path polled.")
    interval: float = Field(60.0, gt=0, le=86400, description="Seconds between check-ins.")
    jitter: float = Field(0.2, ge=0, lt=1, description="Fraction the interval varies by.")
    count: int = Field(10, ge=1, le=100_000)
    port: int | None = Field(None, ge=1, le=65535, description="Default: 80 or 443.")


class Beacon(Event):
    type: ClassVar[str] = "beacon"
    Params = BeaconParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, BeaconParams)
        client, server = ctx.node(params.client), ctx.node(params.server)
        port = params.port or (443 if params.protocol == "https" else 80)
        rng, t = ctx.rng, ctx.time(params.at)
        session = base64.b64encode(rng.randbytes(24)).decode()
        gaps = []
        for number in range(params.count):
            flow = TcpFlow(ctx.sink, client, server, rng.randrange(49152, 65535), port, rng,
                           rtt_ms=rng.uniform(40, 90))
            start = flow.open(t)
            if params.protocol == "https":
                end = flow.exchange(start, tls.client_hello(params.domain, rng),
                                    tls.server_flight(rng, rng.randrange(1800, 2600)), 3.0)
                end = flow.exchange(end, tls.client_finish(rng) + tls.application_data(rng, 180),
                                    tls.application_data(rng, rng.randrange(60, 400)), 5.0)
            else:
                task = base64.b64encode(rng.randbytes(rng.choice((0, 0, 0, 48)))) or b""
                request = (f"GET {params.uri} HTTP/1.1\r\nHost: {params.domain}\r\nCookie: "
                           f"SESSIONID={session}\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; "
                           "Win64; x64)\r\nAccept: */*\r\n\r\n").encode()
                response = (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                            b"Content-Length: " + str(len(task)).encode() + b"\r\n\r\n" + task)
                end = flow.exchange(start, request, response, 5.0)
            flow.close(end + flow.jitter(5 * MS), by_client=True)
            if number < params.count - 1:
                gap = params.interval * rng.uniform(1 - params.jitter, 1 + params.jitter)
                gaps.append(gap)
                t += int(gap * NS)
        path = params.uri if params.protocol == "http" else ""
        url = f"{params.protocol}://{params.domain}{path}"
        return {"client": client.ip, "server": server.ip, "port": port, "domain": params.domain,
                "url": url, "interval": params.interval, "jitter": params.jitter,
                "count": params.count,
                "mean_interval": round(sum(gaps) / len(gaps), 3) if gaps else 0.0}
