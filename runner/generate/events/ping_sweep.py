"""``ping-sweep``: ICMP echo requests to every address of a block (or a list); the live
hosts answer with echo replies."""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

from pydantic import Field, model_validator

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.wire.frames import PROTO_ICMP, IpPath
from runner.generate.wire.tcp import MS

_PAYLOAD = bytes(range(0x10, 0x38))  # Linux ping's 40 pattern bytes after the timestamp


class PingSweepParams(EventParams):
    scanner: str = Field(description="Host key (or IPv4 address) pinging.")
    network: str | None = Field(None, description="Block swept, e.g. 10.0.0.0/26.")
    targets: list[str] = Field(default_factory=list, description="Or: hosts/addresses swept.")
    alive: list[str] = Field(default_factory=list, description="Hosts or addresses that answer.")
    rate: float = Field(50.0, gt=0, le=100_000, description="Requests per second.")

    @model_validator(mode="after")
    def _something(self) -> PingSweepParams:
        if (self.network is None) == (not self.targets):
            raise ValueError("give either 'network' or 'targets'")
        if self.network is not None:
            block = ipaddress.ip_network(self.network, strict=False)
            if block.version != 4 or block.num_addresses > 65536:
                raise ValueError(f"'network' {block}: give an IPv4 block of at most /16")
        return self


class PingSweep(Event):
    type: ClassVar[str] = "ping-sweep"
    Params = PingSweepParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, PingSweepParams)
        scanner = ctx.node(params.scanner)
        if params.network is not None:
            block = ipaddress.ip_network(params.network, strict=False)
            targets = [str(a) for a in block.hosts() if str(a) != scanner.ip]
        else:
            targets = [ctx.ip(t) for t in params.targets]
        alive = {ctx.ip(a) for a in params.alive}
        stray = alive - set(targets)
        if stray:
            from runner.errors import InputError

            raise InputError(f"event '{params.id}': alive hosts {sorted(stray)} are not swept",
                             fix="list them in 'targets' or widen 'network'")
        by_ip = {ctx.ip(a): a for a in params.alive}
        ident, t = ctx.rng.getrandbits(16), ctx.time(params.at)
        for seq, ip in enumerate(targets, 1):
            node = ctx.node(by_ip.get(ip, ip))
            out = IpPath(scanner, node, PROTO_ICMP, ctx.rng.getrandbits(16))
            stamp = (t // NS).to_bytes(8, "little") + ((t % NS) // 1000).to_bytes(8, "little")
            payload = stamp + _PAYLOAD
            ctx.sink.add(t, out.frame(out.icmp(8, 0, ident, seq, payload)))
            if ip in alive:
                back = IpPath(node, scanner, PROTO_ICMP, ctx.rng.getrandbits(16), df=False)
                ctx.sink.add(t + int(ctx.rng.uniform(0.3, 2) * MS),
                             back.frame(back.icmp(0, 0, ident, seq, payload)))
            t += int(NS / params.rate * ctx.rng.uniform(0.8, 1.2))
        return {"scanner": scanner.ip, "targets": len(targets), "alive": sorted(
            alive, key=ipaddress.ip_address), "alive_count": len(alive)}
