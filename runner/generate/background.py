"""Background traffic that events hide in: DNS lookups, web browsing over HTTP and TLS (SNI
from a list of sites), NTP, DHCP and ARP, spread over a time span at a chosen volume.

A client with an IPv6 address (``ip6``, or an IPv6 ``ip``) also browses over IPv6, as a
dual-stack host does: AAAA lookups, HTTP and TLS to the sites' IPv6 addresses, NTP, and
neighbour discovery (solicitation and advertisement, RFC 4861) where IPv4 uses ARP."""

from __future__ import annotations

import ipaddress
import random
from functools import lru_cache
from typing import Literal

from pydantic import Field
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from runner.generate.events.base import NS, EventContext, Router
from runner.generate.hosts import Host
from runner.generate.registry import GenContext
from runner.generate.variables import pool
from runner.generate.wire import tls
from runner.generate.wire.dns import lookup
from runner.generate.wire.frames import (
    PROTO_UDP,
    IpPath,
    Node,
    arp_frame,
    mac_bytes,
    neighbour_advertisement,
    neighbour_solicitation,
    udp_segment,
)
from runner.generate.wire.readdress import LINK_LOCAL, eui64
from runner.generate.wire.sink import Sink
from runner.generate.wire.tcp import MS, TcpFlow
from runner.scenario.model import Strict

Kind = Literal["dns", "http", "https", "ntp", "dhcp", "arp"]
KINDS: tuple[Kind, ...] = ("dns", "http", "https", "ntp", "dhcp", "arp")
_WEIGHTS = {"http": 3, "https": 6, "dns": 2, "ntp": 1, "arp": 1}
_WORDS = ("report", "news", "login", "search", "images", "about", "contact", "docs", "blog")


class BackgroundParams(Strict):
    clients: list[str] = Field(default_factory=list,
                               description="Hosts that browse (default: every story host).")
    gateway: str | None = Field(None, description="Router host or address (default: .1 of "
                                "the first client's /24).")
    dns_server: str | None = Field(None, description="Resolver (default: the gateway).")
    sites: list[str] = Field(default_factory=list,
                             description="Domains visited (default: the 'domains' pool).")
    kinds: list[Kind] = Field(default_factory=lambda: list(KINDS))
    volume: int = Field(1000, ge=0, le=5_000_000, description="About this many packets.")
    span: tuple[float, float] | None = Field(None, description="[from, to] seconds (default: "
                                             "the whole capture).")


class _Net:
    """Who talks to whom: clients (IPv4, IPv6 or both), the gateway (its MAC fronts every
    remote address), DNS."""

    def __init__(self, params: BackgroundParams, ectx: EventContext,
                 gateway: str | None = None) -> None:
        refs = params.clients or list(ectx.gen.hosts)
        self.clients = [_client(ectx, r) for r in refs]
        first = next((c[0] for c in self.clients if c[0]), None)
        if first is None and not any(c[1] for c in self.clients):
            raise ValueError("background traffic needs at least one client host")
        ref = params.gateway or gateway
        if ref is None and first is not None:
            address = ipaddress.ip_address(first.ip)
            ref = str(address - int(address) % 256 + 1)
        router, host = (ectx.node(ref), ectx.host(ref)) if ref else (None, None)
        if router is not None:  # hosts reach an IPv4 router's IPv6 side at its link-local
            self.gateway6 = _v6(host, router) or Node(str(ipaddress.IPv6Address(
                LINK_LOCAL + eui64(mac_bytes(router.mac)))), router.mac, router.ttl)
        else:  # IPv6-only clients and no gateway named
            self.gateway6 = ectx.node("fe80::1")
        self.gateway: Node = router or self.gateway6
        self.dns = ectx.node(params.dns_server) if params.dns_server else self.gateway
        dns_host = ectx.host(params.dns_server) if params.dns_server else host
        self.dns6 = _v6(dns_host, self.dns) or self.gateway6
        self.sites = params.sites or list(pool("domains"))
        self.rng = ectx.rng
        self.addresses: dict[str, str] = {}
        self.ports = {n.ip: self.rng.randrange(49152, 60000) for c in self.clients for n in c
                      if n}

    def port(self, client: Node) -> int:
        """The client's next ephemeral port: stacks hand them out in order, so two
        connections of one client never share a port (and a 4-tuple) in the capture."""
        self.ports[client.ip] = 49152 + (self.ports[client.ip] - 49152 + 1) % 16383
        return self.ports[client.ip]

    def remote(self, site: str, v6: bool = False) -> Node:
        key = f"{site}/6" if v6 else site
        if key not in self.addresses:
            r = random.Random(f"{self.rng.random()}:{key}")
            if v6:  # under the /32s of large CDNs and clouds, as browsing on IPv6 goes
                self.addresses[key] = str(ipaddress.IPv6Address(r.choice(_NETS6).packed[:4]
                                                                + r.randbytes(12)))
            else:
                self.addresses[key] = f"{r.choice((23, 104, 142, 151, 172, 185))}." \
                    f"{r.randrange(1, 255)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        return Node(self.addresses[key], self.gateway.mac, 56, 65535)


_NETS6 = tuple(ipaddress.IPv6Address(a) for a in ("2606:4700::", "2a00:1450::", "2620:1ec::",
                                                   "2a04:4e42::", "2600:9000::", "2a02:26f0::"))


def _client(ectx: EventContext, ref: str) -> tuple[Node | None, Node | None]:
    """A client's IPv4 and IPv6 identities (either may be missing)."""
    node = ectx.node(ref)
    if ":" in node.ip:
        return None, node
    return node, _v6(ectx.host(ref), node)


def _v6(host: Host | None, node: Node | None) -> Node | None:
    """The IPv6 identity of a host (its ``ip6`` or IPv6 ``ip``), with its MAC and TTL."""
    if node is not None and ":" in node.ip:
        return node
    if host is None or host.ip6 is None or node is None:
        return None
    return Node(host.ip6, node.mac, node.ttl, node.window)


def add_background(params: BackgroundParams, sink: Sink, gen: GenContext, start_ns: int,
                   duration: float, router: Router | None = None,
                   gateway: str | None = None) -> None:
    """Add about ``params.volume`` packets of background traffic to ``sink`` (the
    capture's ``gateway`` is the default router)."""
    ectx = EventContext(sink, start_ns, gen, gen.rng("background"), router=router)
    try:
        net = _Net(params, ectx, gateway)
    except ValueError as exc:
        from runner.errors import InputError

        raise InputError(f"output '{gen.output}': {exc}", fix="list hosts under "
                         "'background: clients:'") from None
    low, high = params.span or (0.0, duration)
    rng, target = ectx.rng, len(sink) + params.volume
    if "dhcp" in params.kinds:
        for client, _ in net.clients:
            if client is not None:
                _dhcp(sink, net, client, ectx.time(low + rng.uniform(0, 2)), rng)
    kinds = [k for k in _WEIGHTS if k in params.kinds]
    if not kinds:
        return
    weights = [_WEIGHTS[k] for k in kinds]
    while len(sink) < target:
        _visit(sink, net, ectx.time(rng.uniform(low, high)), rng.choice(net.clients),
               rng.choices(kinds, weights)[0], rng)


def _visit(sink: Sink, net: _Net, at: int, pair: tuple[Node | None, Node | None], kind: str,
           rng: random.Random) -> None:
    """One background exchange; a dual-stack client picks IPv6 half of the time."""
    four, six = pair
    v6 = six is not None and (four is None or rng.random() < 0.5)
    client = six if v6 else four
    assert client is not None
    if kind == "arp":
        if v6:
            _neighbours(sink, client, net.gateway6, at)
        else:
            sink.add(at, arp_frame(1, client.mac, client.ip, "", net.gateway.ip))
            sink.add(at + MS // 2, arp_frame(2, net.gateway.mac, net.gateway.ip, client.mac,
                                             client.ip))
    elif kind == "ntp":
        _ntp(sink, client, net.remote("pool.ntp.org", v6), at, rng)
    else:
        site = rng.choice(net.sites)
        server = net.remote(site, v6)
        # a dual-stack host asks its IPv4 resolver for AAAA records too
        resolver, asker = (net.dns, four) if four is not None else (net.dns6, client)
        at = lookup(sink, asker, resolver, site, server.ip, at, rng)
        if kind != "dns":
            _web(sink, client, server, site, kind == "https", at, rng, net.port(client))


def _neighbours(sink: Sink, client: Node, router: Node, at: int) -> None:
    """The client solicits the router's address; the router advertises its MAC."""
    sink.add(at, neighbour_solicitation(client.mac, client.ip, router.ip))
    sink.add(at + MS // 2, neighbour_advertisement(router.mac, router.ip, client.mac, client.ip,
                                                   router.ip, router.mac, router=True,
                                                   solicited=True))


def _web(sink: Sink, client: Node, server: Node, site: str, secure: bool, at: int,
         rng: random.Random, port: int) -> None:
    flow = TcpFlow(sink, client, server, port, 443 if secure else 80, rng,
                   rtt_ms=rng.uniform(8, 60))
    t = flow.open(at)
    if secure:
        t = flow.exchange(t, tls.client_hello(site, rng), tls.server_flight(rng), 2.0)
        t = flow.exchange(t, tls.client_finish(rng) + tls.application_data(rng, 420),
                          tls.application_data(rng, rng.randrange(800, 30_000)), 30.0)
    else:
        path = "/" + rng.choice(_WORDS) + (f"/{rng.randrange(1, 999)}.html" if rng.random() < .6
                                           else "")
        request = (f"GET {path} HTTP/1.1\r\nHost: {site}\r\nUser-Agent: Mozilla/5.0 (Windows NT "
                   "10.0; Win64; x64)\r\nAccept: text/html\r\nConnection: close\r\n\r\n").encode()
        body = _page(site, rng)
        response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close"
                    b"\r\n\r\n" + body)
        t = flow.exchange(t, request, response, rng.uniform(5, 80))
    flow.close(t + int(rng.uniform(50, 2000) * MS), by_client=not secure)


def _page(site: str, rng: random.Random) -> bytes:
    words = _corpus()  # one shared corpus; pages are slices of it
    start = rng.randrange(len(words) - 2000)
    text = " ".join(words[start:start + rng.randrange(50, 2000)])
    return f"<!doctype html><html><head><title>{site}</title></head><body><p>{text}</p>" \
           "</body></html>\n".encode()


@lru_cache(maxsize=1)
def _corpus() -> tuple[str, ...]:
    """20,000 words of page text, the same every run (pages differ by where they start)."""
    return tuple(random.Random(0).choices(_WORDS, k=20_000))


def _ntp(sink: Sink, client: Node, server: Node, at: int, rng: random.Random) -> None:
    out = IpPath(client, server, PROTO_UDP, rng.getrandbits(16), df=False)
    back = IpPath(server, client, PROTO_UDP, rng.getrandbits(16), df=False)
    sent = (at // NS + 2_208_988_800) << 32
    request = bytes([0x23]) + b"\x00" * 39 + sent.to_bytes(8, "big")
    sink.add(at, out.frame(udp_segment(out, 123, 123, request)))
    reply = (bytes([0x24, 2, 0, 0xE9]) + b"\x00" * 8 + b"\xc0\x00\x02\x01" + sent.to_bytes(8, "big")
             + sent.to_bytes(8, "big") + sent.to_bytes(8, "big") + sent.to_bytes(8, "big"))
    sink.add(at + int(rng.uniform(10, 50) * MS), back.frame(udp_segment(back, 123, 123, reply)))


def _dhcp(sink: Sink, net: _Net, client: Node, at: int, rng: random.Random) -> None:
    """DHCP REQUEST (renewing the client's address) and the server's ACK, built with scapy."""
    xid, mac = rng.getrandbits(32), bytes.fromhex(client.mac.replace(":", ""))
    request = (Ether(src=client.mac, dst="ff:ff:ff:ff:ff:ff")
               / IP(src="0.0.0.0", dst="255.255.255.255")
               / UDP(sport=68, dport=67) / BOOTP(chaddr=mac, xid=xid, flags=0)
               / DHCP(options=[("message-type", "request"), ("requested_addr", client.ip),
                               ("server_id", net.gateway.ip), "end"]))
    ack = (Ether(src=net.gateway.mac, dst=client.mac) / IP(src=net.gateway.ip, dst=client.ip)
           / UDP(sport=67, dport=68) / BOOTP(op=2, chaddr=mac, xid=xid, yiaddr=client.ip,
                                             siaddr=net.gateway.ip)
           / DHCP(options=[("message-type", "ack"), ("server_id", net.gateway.ip),
                           ("lease_time", 86400), ("subnet_mask", "255.255.255.0"),
                           ("router", net.gateway.ip), ("name_server", net.dns.ip), "end"]))
    sink.add(at, bytes(request))
    sink.add(at + int(rng.uniform(1, 5) * MS), bytes(ack))
