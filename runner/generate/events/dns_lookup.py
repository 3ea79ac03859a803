"""``dns-lookup``: one host asks its resolver for a name's address and gets the answer, as
a browser's resolver does before it connects: the step that ties a domain (from a mail's
link or a sample's configuration) to the address the traffic then goes to."""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

from pydantic import Field

from runner.errors import InputError
from runner.generate.events.base import Event, EventContext, EventParams
from runner.generate.wire.dns import lookup


class DnsLookupParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) asking.")
    resolver: str = Field(description="Host key (or IPv4 address) of the DNS server.")
    name: str = Field(max_length=254, pattern=r"^([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$",
                      description="Name looked up (an A record).")
    answer: str = Field(description="Host key or IPv4 address the answer gives.")


class DnsLookup(Event):
    type: ClassVar[str] = "dns-lookup"
    Params = DnsLookupParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, DnsLookupParams)
        client, resolver = ctx.node(params.client), ctx.node(params.resolver)
        answer = _address(params.answer, ctx)
        lookup(ctx.sink, client, resolver, params.name.rstrip("."), answer,
               ctx.time(params.at), ctx.rng)
        return {"client": client.ip, "resolver": resolver.ip, "name": params.name.rstrip("."),
                "answer": answer}


def _address(ref: str, ctx: EventContext) -> str:
    host = ctx.host(ref)
    if host is not None:
        return host.ip
    try:
        return str(ipaddress.IPv4Address(ref))
    except ValueError:
        raise InputError(f"output '{ctx.gen.output}': dns-lookup answer '{ref}' is neither a "
                         "host nor an IPv4 address",
                         fix=f"name a host ({', '.join(ctx.gen.hosts)}) or write an address"
                         ) from None
