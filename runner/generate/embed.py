"""Merge a story's frames into a real background capture shipped with the scenario.

The real capture sets the clock (events' ``at`` counts from its first frame) and the
network: its busiest private /24 is renumbered onto the story's subnet, host part kept,
its busiest IPv6 /64 onto the story's /64, and the story hosts named in ``embed_hosts``
take over the real capture's busiest local hosts (IPv4 and IPv6 address and MAC), so the
victim's own background traffic is real. :mod:`runner.generate.wire.readdress` rewrites
every address a frame carries, headers and payloads, with checksums kept right.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from runner.errors import CaptureError, InputError
from runner.evidence.craft import LINKTYPE_ETHERNET
from runner.evidence.decode import LT_ETHERNET, PROTO_ICMP6, Pkt, decode
from runner.evidence.reader import iter_records
from runner.generate.hosts import Host
from runner.generate.registry import GenContext
from runner.generate.wire.readdress import LINK_LOCAL, AddressMap, eui64, rewrite
from runner.generate.wire.sink import Sink

Net = ipaddress.IPv4Network


@dataclass
class Background:
    """A real capture's frames, its start and its local networks."""

    frames: list[tuple[int, bytes]]
    subnet: Net | None
    ranked: list[str] = field(default_factory=list)  # local addresses, busiest first
    macs: dict[str, bytes] = field(default_factory=dict)  # local address -> its MAC
    local64: bytes | None = None  # the busiest global IPv6 /64 (the LAN's prefix)
    sent6: dict[bytes, Counter[bytes]] = field(default_factory=dict)  # MAC -> its IPv6 sources
    seen6: set[bytes] = field(default_factory=set)  # unicast IPv6 addresses anywhere

    @property
    def start_ns(self) -> int:
        return self.frames[0][0] if self.frames else 0


def load_background(ctx: GenContext, name: str) -> Background:
    """Read the real capture ``name`` (relative to the story); a missing, damaged or
    non-Ethernet file is an :class:`InputError` naming it. Reads are cached per file
    version, so a class's variants read the file once."""
    path = (ctx.base_dir / name).resolve()
    where = f"output '{ctx.output}': embed_into '{name}'"
    if not path.is_file():
        raise InputError(f"{where}: file not found next to the story ({ctx.base_dir})",
                         fix="ship the real capture with the scenario (e.g. pcaps/) and name "
                             "it relative to the story")
    stat = path.stat()
    try:
        return _load(path, stat.st_mtime_ns, stat.st_size)
    except InputError as exc:
        raise InputError(f"{where}{exc.message}", fix=exc.fix) from None


@lru_cache(maxsize=8)
def _load(path: Path, _mtime: int, _size: int) -> Background:
    where = ""
    damage: list[str] = []
    try:
        records = list(iter_records(path, on_warning=damage.append))
    except CaptureError as exc:
        raise InputError(f"{where}: {exc.message}", fix="give a readable pcap or pcapng "
                         "file") from None
    if damage:
        raise InputError(f"{where} is damaged: {damage[0]}", fix="repair it (e.g. with "
                         "pcapfix) or pick another capture")
    if not records or any(link != LINKTYPE_ETHERNET for _, link, _, _ in records):
        raise InputError(f"{where}: needs Ethernet frames", fix="embed into an Ethernet "
                         "capture (not Wi-Fi, cooked or raw IP)")
    frames = sorted((ts, data) for ts, _, data, _ in records)
    background = Background(frames, None)
    counts: Counter[str] = Counter()
    nets6: Counter[bytes] = Counter()
    p = Pkt()
    for _, data in frames:
        decode(p, data, LT_ETHERNET)
        if p.ipv == 4:
            for raw in (p.src, p.dst):
                address = ipaddress.IPv4Address(raw)
                if address.is_private and not address.is_multicast:
                    counts[str(address)] += 1
            background.macs.setdefault(str(ipaddress.IPv4Address(p.src)), data[6:12])
        elif p.ipv == 6:
            _note6(background, nets6, p, data)
    background.local64 = nets6.most_common(1)[0][0] if nets6 else None
    subnets = Counter(str(ipaddress.ip_network(f"{a}/24", strict=False)) for a in counts
                      for _ in range(counts[a]))
    if subnets:
        subnet = background.subnet = ipaddress.IPv4Network(subnets.most_common(1)[0][0])
        background.ranked = [a for a, _ in counts.most_common()
                             if ipaddress.IPv4Address(a) in subnet
                             and not a.endswith((".0", ".255"))]
    return background


def _note6(bg: Background, nets6: Counter[bytes], p: Pkt, data: bytes) -> None:
    """Count who sends from which IPv6 address, and every unicast address seen (neighbour
    discovery targets too: a solicited-node group must follow its address)."""
    addresses = [p.src, p.dst]
    if p.proto == PROTO_ICMP6 and p.l4 >= 0 and len(data) >= p.l4 + 24 \
            and data[p.l4] in (135, 136, 137):
        addresses.append(data[p.l4 + 8:p.l4 + 24])
    for raw in addresses:
        address = ipaddress.IPv6Address(raw)
        if address.is_multicast or address.is_unspecified or address.is_loopback:
            continue
        bg.seen6.add(raw)
        if not address.is_link_local:
            nets6[raw[:8]] += 1
    if not ipaddress.IPv6Address(p.src).is_unspecified:
        bg.sent6.setdefault(data[6:12], Counter())[p.src] += 1


def embed(sink: Sink, ctx: GenContext, background: Background, take_over: list[str]) -> None:
    """Add the real frames to ``sink``, renumbered onto the story's hosts and subnets."""
    amap = address_map(ctx, background, take_over)
    for ts, data in background.frames:
        sink.add(ts, rewrite(data, amap))


def address_map(ctx: GenContext, bg: Background, take_over: list[str]) -> AddressMap:
    """What each real address becomes: taken-over hosts' addresses and MACs become the
    story hosts', the rest of the LAN moves onto the story's /24 and /64."""
    if bg.subnet is None and not take_over:
        return AddressMap()  # no private LAN to renumber: the real traffic stays as it is
    if len(take_over) > len(bg.ranked) or bg.subnet is None:
        raise InputError(f"output '{ctx.output}': embed_hosts names {len(take_over)} hosts but "
                         f"the real capture has {len(bg.ranked)} local (private /24) hosts",
                         fix="name fewer hosts in 'embed_hosts'")
    hosts = [ctx.host(k) for k in take_over]
    amap = AddressMap(v4=_map4(ctx, bg, hosts))
    for real, host in zip(bg.ranked, hosts, strict=False):
        if real in bg.macs:
            amap.macs[bg.macs[real]] = bytes.fromhex(host.mac.replace(":", ""))
    _map6(ctx, bg, hosts, amap)
    return amap


def _map4(ctx: GenContext, bg: Background, hosts: list[Host]) -> dict[bytes, bytes]:
    assert bg.subnet is not None
    anchor = next((h.ip for h in hosts if ":" not in h.ip), None) or next(
        (h.ip for h in ctx.hosts.values() if ":" not in h.ip and ipaddress.ip_address(h.ip)
         .is_private), str(bg.subnet.network_address))
    story = ipaddress.ip_network(f"{anchor}/24", strict=False)
    taken = {h.ip for h in ctx.hosts.values()}
    ips: dict[bytes, bytes] = {}
    for real, host in zip(bg.ranked, hosts, strict=False):
        ips[_b(real)] = _b(host.ip)
    free = (str(a) for a in story.hosts() if str(a) not in taken)
    used = set(taken)
    for real in bg.ranked[len(hosts):]:
        moved = str(story.network_address + (int(ipaddress.IPv4Address(real)) & 0xFF))
        if moved in used:
            moved = next(a for a in free if a not in used)
        used.add(moved)
        ips[_b(real)] = _b(moved)
    ips[bg.subnet.broadcast_address.packed] = story.broadcast_address.packed
    return ips


def _map6(ctx: GenContext, bg: Background, hosts: list[Host], amap: AddressMap) -> None:
    """A taken-over host's busiest global address becomes its story host's IPv6 address and
    its link-local ones the EUI-64 address of its new MAC; other addresses follow the
    rules of :class:`AddressMap` (the /64 moves, interface ids from MACs follow them)."""
    def v6(host: Host) -> str | None:
        return host.ip if ":" in host.ip else host.ip6

    story6 = [a for a in (v6(h) for h in [*hosts, *ctx.hosts.values()]) if a
              and not ipaddress.IPv6Address(a).is_link_local]
    amap.real64 = bg.local64
    amap.story64 = ipaddress.IPv6Address(story6[0]).packed[:8] if story6 else None
    for real, host in zip(bg.ranked, hosts, strict=False):
        mac = bg.macs.get(real)
        own = bg.sent6.get(mac, Counter()) if mac else Counter()
        new_mac = amap.macs.get(mac or b"", b"")
        if new_mac:
            for raw in own:
                if raw[:8] == LINK_LOCAL:
                    amap.v6[raw] = LINK_LOCAL + eui64(new_mac)
        mine = v6(host)
        lan = [a for a, _ in own.most_common() if a[:8] == bg.local64 != LINK_LOCAL]
        if mine and lan:
            amap.v6[lan[0]] = ipaddress.IPv6Address(mine).packed
    taken = {ipaddress.IPv6Address(a).packed for a in story6}
    explicit = set(amap.v6)
    for raw in sorted(bg.seen6):  # mapped up front: solicited-node groups look them up
        new = amap.ip6(raw)
        if raw not in explicit and new != raw and new in taken:
            amap.v6[raw] = new[:15] + bytes([new[15] ^ 0x80])  # never onto a story host


def _b(text: str) -> bytes:
    return ipaddress.IPv4Address(text).packed
