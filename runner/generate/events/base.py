"""What every event of a capture story shares: its parameters' common fields, the context it
writes into, and the base class the event registry holds."""

from __future__ import annotations

import builtins
import ipaddress
import random
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import Field

from runner.errors import InputError
from runner.generate.hosts import Host, random_mac
from runner.generate.registry import GenContext
from runner.generate.wire.frames import Node
from runner.generate.wire.sink import Sink
from runner.scenario.model import Ident, Strict

NS = 1_000_000_000
Link = Literal["ethernet", "radiotap"]


class EventParams(Strict):
    """Fields every event has; each event's Params adds its own."""

    type: str = Field(description="The event kind (see docs/stories.md).")
    id: Ident = Field(description="Story name of the values the event produces: {story: ID.FIELD}.")
    at: float = Field(0.0, ge=0, description="Seconds after the capture's start.")


@dataclass(frozen=True)
class Router:
    """The LAN a capture is taken on and its gateway: hosts beyond the LAN are seen behind
    the gateway's MAC, with the TTL their packets arrive with after some hops."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    mac: str

    def sees(self, node: Node) -> Node:
        """``node`` as a capture on the LAN sees it."""
        address = ipaddress.ip_address(node.ip)
        if address.version != self.network.version or address in self.network:
            return node
        hops = 5 + int(address) % 10
        return Node(node.ip, self.mac, max(1, node.ttl - hops), node.window)


@dataclass
class EventContext:
    """Where an event writes its frames and what it may use: hosts, randomness, the clock."""

    sink: Sink
    start_ns: int
    gen: GenContext
    rng: random.Random
    extra: dict[str, Node] = field(default_factory=dict)
    router: Router | None = None

    def time(self, seconds: float) -> int:
        """Capture time (ns) of ``seconds`` after the capture's start."""
        return self.start_ns + int(seconds * NS)

    def host(self, ref: str) -> Host | None:
        """The story host named ``ref`` (None when ``ref`` is an address)."""
        return self.gen.hosts.get(ref)

    def node(self, ref: str) -> Node:
        """The wire identity of a host key, or of a bare IPv4 address (a MAC is drawn)."""
        host = self.gen.hosts.get(ref)
        if host is not None:
            node = Node(host.ip, host.mac, host.ttl, min(host.window, 65535))
            return self.router.sees(node) if self.router else node
        if ref not in self.extra:
            try:
                ip = str(ipaddress.ip_address(ref))
            except ValueError:
                raise InputError(f"output '{self.gen.output}': '{ref}' is neither a host nor "
                                 "an IP address",
                                 fix=f"name a host ({', '.join(self.gen.hosts)}) or write an "
                                     "address") from None
            mac = random_mac("cisco", random.Random(f"{self.gen.seed}:{ip}"))
            node = Node(ip, mac, 64, 64240)
            self.extra[ref] = self.router.sees(node) if self.router else node
        return self.extra[ref]

    def node6(self, ref: str) -> Node:
        """The IPv6 wire identity of a host key (its ``ip6``, or an IPv6 ``ip``) or of a bare
        IPv6 address; ValueError when the host has none."""
        node = self.node(ref)
        host = self.gen.hosts.get(ref)
        if ":" in node.ip:
            return node
        if host is None or host.ip6 is None:
            raise ValueError(f"'{ref}' has no IPv6 address; give the host an 'ip6'")
        six = Node(host.ip6, host.mac, host.ttl, min(host.window, 65535))
        return self.router.sees(six) if self.router else six

    def mac(self, ref: str) -> str:
        """The MAC of a host key, or ``ref`` itself when it is a MAC address."""
        host = self.gen.hosts.get(ref)
        if host is not None:
            return host.mac
        if re.fullmatch(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}", ref):
            return ref.lower()
        raise InputError(f"output '{self.gen.output}': '{ref}' is neither a host nor a MAC "
                         "address", fix=f"name a host ({', '.join(self.gen.hosts)}) or write "
                         "aa:bb:cc:dd:ee:ff")

    def ip(self, ref: str) -> str:
        """The IP address of a host key or address."""
        return self.node(ref).ip


class Event(ABC):
    """One kind of event: validates its parameters and writes its frames."""

    type: ClassVar[str]
    Params: ClassVar[builtins.type[EventParams]]
    link: ClassVar[Link] = "ethernet"

    @abstractmethod
    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        """Write the event's frames into ``ctx.sink``; return the values it produced
        (``first_frame``, ``last_frame``, ``first_time``, ``last_time`` and ``packets`` are
        added by the capture generator)."""
