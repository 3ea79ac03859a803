"""Merge a story's frames into a real background capture shipped with the scenario.

The real capture sets the clock (events' ``at`` counts from its first frame) and the
network: its busiest private /24 is renumbered onto the story's subnet, host part kept,
and the story hosts named in ``embed_hosts`` take over the real capture's busiest local
hosts (address and MAC), so the victim's own background traffic is real. Every address is
rewritten consistently (Ethernet, ARP, IPv4, with IP/TCP/UDP checksums updated
incrementally, RFC 1624, which stays right for frames cut by a snap length).
"""

from __future__ import annotations

import ipaddress
import struct
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from runner.errors import CaptureError, InputError
from runner.evidence.craft import LINKTYPE_ETHERNET
from runner.evidence.reader import iter_records
from runner.generate.registry import GenContext
from runner.generate.wire.sink import Sink

Net = ipaddress.IPv4Network


@dataclass
class Background:
    """A real capture's frames, its start and its local subnet."""

    frames: list[tuple[int, bytes]]
    subnet: Net | None
    ranked: list[str] = field(default_factory=list)  # local addresses, busiest first

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
    counts: Counter[str] = Counter()
    for _, data in frames:
        ip = _ipv4_offset(data)
        if ip is not None:
            for raw in (data[ip + 12:ip + 16], data[ip + 16:ip + 20]):
                address = ipaddress.IPv4Address(raw)
                if address.is_private and not address.is_multicast:
                    counts[str(address)] += 1
    subnets = Counter(str(ipaddress.ip_network(f"{a}/24", strict=False)) for a in counts
                      for _ in range(counts[a]))
    if not subnets:
        return Background(frames, None)
    subnet = ipaddress.IPv4Network(subnets.most_common(1)[0][0])
    ranked = [a for a, _ in counts.most_common() if ipaddress.IPv4Address(a) in subnet
              and not a.endswith((".0", ".255"))]
    return Background(frames, subnet, ranked)


def embed(sink: Sink, ctx: GenContext, background: Background, take_over: list[str]) -> None:
    """Add the real frames to ``sink``, renumbered onto the story's hosts and subnet."""
    ips, macs = _maps(ctx, background, take_over)
    for ts, data in background.frames:
        sink.add(ts, rewrite(data, ips, macs))


def _maps(ctx: GenContext, bg: Background, take_over: list[str]
          ) -> tuple[dict[bytes, bytes], dict[bytes, bytes]]:
    if bg.subnet is None and not take_over:
        return {}, {}  # no private LAN to renumber: the real traffic stays as it is
    if len(take_over) > len(bg.ranked) or bg.subnet is None:
        raise InputError(f"output '{ctx.output}': embed_hosts names {len(take_over)} hosts but "
                         f"the real capture has {len(bg.ranked)} local (private /24) hosts",
                         fix="name fewer hosts in 'embed_hosts'")
    hosts = [ctx.host(k) for k in take_over]
    anchor = next((h.ip for h in hosts), None) or next(
        (h.ip for h in ctx.hosts.values() if ":" not in h.ip and ipaddress.ip_address(h.ip)
         .is_private), str(bg.subnet.network_address))
    story = ipaddress.ip_network(f"{anchor}/24", strict=False)
    taken = {h.ip for h in ctx.hosts.values()}
    ips: dict[bytes, bytes] = {}
    macs: dict[bytes, bytes] = {}
    real_macs = _macs_of(bg)
    for real, host in zip(bg.ranked, hosts, strict=False):
        ips[_b(real)] = _b(host.ip)
        if real in real_macs:
            macs[real_macs[real]] = bytes.fromhex(host.mac.replace(":", ""))
    free = (str(a) for a in story.hosts() if str(a) not in taken)
    used = set(taken)
    for real in bg.ranked[len(hosts):]:
        moved = str(story.network_address + (int(ipaddress.IPv4Address(real)) & 0xFF))
        if moved in used:
            moved = next(a for a in free if a not in used)
        used.add(moved)
        ips[_b(real)] = _b(moved)
    broadcast = bg.subnet.broadcast_address.packed
    ips[broadcast] = story.broadcast_address.packed
    return ips, macs


def _macs_of(bg: Background) -> dict[str, bytes]:
    """The MAC each local address sends from (first seen)."""
    found: dict[str, bytes] = {}
    for _, data in bg.frames:
        ip = _ipv4_offset(data)
        if ip is not None:
            found.setdefault(str(ipaddress.IPv4Address(data[ip + 12:ip + 16])), data[6:12])
    return found


def _b(text: str) -> bytes:
    return ipaddress.IPv4Address(text).packed


def _ipv4_offset(data: bytes) -> int | None:
    offset, etype = 12, data[12:14]
    while etype in (b"\x81\x00", b"\x88\xa8"):
        offset += 4
        etype = data[offset:offset + 2]
    if etype == b"\x08\x00" and len(data) >= offset + 22:
        return offset + 2
    return None


def rewrite(data: bytes, ips: dict[bytes, bytes], macs: dict[bytes, bytes]) -> bytes:
    """One Ethernet frame with addresses mapped and checksums adjusted."""
    frame = bytearray(data)
    for at in (0, 6):
        frame[at:at + 6] = macs.get(bytes(frame[at:at + 6]), frame[at:at + 6])
    ip = _ipv4_offset(data)
    if ip is None:
        if data[12:14] == b"\x08\x06" and len(data) >= 42:  # ARP
            for at in (22, 32):
                frame[at:at + 6] = macs.get(bytes(frame[at:at + 6]), frame[at:at + 6])
            for at in (28, 38):
                frame[at:at + 4] = ips.get(bytes(frame[at:at + 4]), frame[at:at + 4])
        return bytes(frame)
    old = bytes(frame[ip + 12:ip + 20])
    new = ips.get(old[:4], old[:4]) + ips.get(old[4:], old[4:])
    if new == old:
        return bytes(frame)
    frame[ip + 12:ip + 20] = new
    _patch(frame, ip + 10, old, new, udp=False)
    header = (frame[ip] & 0x0F) * 4
    proto, fragment = frame[ip + 9], struct.unpack_from("!H", frame, ip + 6)[0] & 0x1FFF
    l4 = ip + header
    if fragment == 0 and proto == 6 and len(frame) >= l4 + 18:
        _patch(frame, l4 + 16, old, new, udp=False)
    elif (fragment == 0 and proto == 17 and len(frame) >= l4 + 8
          and frame[l4 + 6:l4 + 8] != b"\x00\x00"):  # zero: the sender sent no checksum
        _patch(frame, l4 + 6, old, new, udp=True)
    return bytes(frame)


def _patch(frame: bytearray, at: int, old: bytes, new: bytes, *, udp: bool) -> None:
    """RFC 1624: HC' = ~(~HC + ~m + m') over each changed 16-bit word."""
    total = ~struct.unpack_from("!H", frame, at)[0] & 0xFFFF
    for i in range(0, len(old), 2):
        total += (~int.from_bytes(old[i:i + 2], "big") & 0xFFFF) + int.from_bytes(new[i:i + 2],
                                                                                   "big")
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    value = ~total & 0xFFFF
    struct.pack_into("!H", frame, at, 0xFFFF if udp and value == 0 else value)
