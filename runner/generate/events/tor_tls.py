"""``tor-tls``: TLS sessions to Tor-relay-like endpoints: ORPorts (9001, 443, 9030), random
``www.<letters>.com`` SNI names as Tor clients send them, long-lived connections carrying
fixed-size (514-byte cell) records."""

from __future__ import annotations

import ipaddress
import string
from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.wire import tls
from runner.generate.wire.frames import Node
from runner.generate.wire.tcp import MS, TcpFlow


class TorTlsParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) running Tor.")
    relays: list[str] = Field(default_factory=list, description="Relay hosts or addresses "
                              "(default: 'count' public-looking addresses).")
    count: int = Field(3, ge=1, le=100, description="Relays when 'relays' is empty.")
    ports: list[int] = Field(default_factory=lambda: [9001, 443, 9030], min_length=1)
    cells: int = Field(40, ge=1, le=100_000, description="Cells (records) per connection.")
    gateway: str | None = Field(None, description="Router whose MAC fronts the relays.")


def tor_sni(rng: Any) -> str:
    """``www.`` + 8-20 random letters/digits + ``.com``, as Tor makes up its SNI."""
    letters = string.ascii_lowercase + string.digits
    return "www." + "".join(rng.choice(letters) for _ in range(rng.randrange(8, 21))) + ".com"


class TorTls(Event):
    type: ClassVar[str] = "tor-tls"
    Params = TorTlsParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, TorTlsParams)
        client, rng = ctx.node(params.client), ctx.rng
        if params.relays:
            relays = [ctx.node(r) for r in params.relays]
        else:
            mac = ctx.node(params.gateway).mac if params.gateway else None
            relays = []
            for _ in range(params.count):
                ip = str(ipaddress.ip_address(rng.choice((5, 37, 46, 51, 78, 85, 95, 185, 193))
                                              * 2**24 + rng.randrange(1, 2**24 - 1)))
                node = ctx.node(ip)
                relays.append(Node(ip, mac or node.mac, 64, 65535))
        t, names, used = ctx.time(params.at), [], []
        for relay in relays:
            port = rng.choice(params.ports)
            sni = tor_sni(rng)
            names.append(sni)
            used.append(f"{relay.ip}:{port}")
            flow = TcpFlow(ctx.sink, client, relay, rng.randrange(49152, 65535), port, rng,
                           rtt_ms=rng.uniform(30, 150))
            end = flow.exchange(flow.open(t), tls.client_hello(sni, rng, alpn=()),
                                tls.server_flight(rng, rng.randrange(700, 1200)), 4.0)
            end = flow.exchange(end, tls.client_finish(rng), b"", 0)
            for _ in range(params.cells):
                cell = 514 + 29  # one cell in a TLS record
                end = flow.exchange(end + flow.jitter(150 * MS), tls.application_data(rng, cell),
                                    tls.application_data(rng, cell), 20.0)
            flow.close(end + flow.jitter(NS), by_client=True)
            t += int(rng.uniform(0.5, 3) * NS)
        return {"client": client.ip, "relays": [r.ip for r in relays], "endpoints": used,
                "sni": names, "connections": len(relays)}
