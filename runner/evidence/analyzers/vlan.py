"""``vlan`` (on demand): 802.1Q / 802.1ad tags of every tagged Ethernet frame, and the ids.

The decoder steps over tags to reach the IP layer; this analyzer reads them back
from the frame. With QinQ (802.1ad) ``vlan`` is the outer (service) tag and
``inner_vlan`` the customer tag.
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, mac_text
from runner.evidence.decode import Pkt

LT_ETHERNET = 1
TAGS = frozenset({0x8100, 0x88A8, 0x9100})


@register
class Vlan(Analyzer):
    """Reads the tags of Ethernet frames (every frame is looked at: on demand)."""

    name = "vlan"
    on_demand = True
    description = "802.1Q/802.1ad VLAN tags per frame and per VLAN id (on demand)"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "frames": (
            Field("frame", "int", "frame"),
            Field("vlan", "int", "VLAN id of the outer tag (vlan.id)"),
            Field("inner_vlan", "int", "VLAN id of a second tag (QinQ), -1 when none"),
            Field("priority", "int", "802.1p priority of the outer tag"),
            Field("src_mac", "str", "source MAC"),
            Field("dst_mac", "str", "destination MAC"),
            Field("src", "str", "source IP, '' when not IP"),
            Field("dst", "str", "destination IP, '' when not IP"),
        ),
        "ids": (
            Field("vlan", "int", "VLAN id (outer tag)"),
            Field("frames", "int", "frames tagged with it"),
            Field("first_frame", "int", "first such frame"),
            Field("last_frame", "int", "last such frame"),
            Field("hosts", "str", "IP addresses seen in it, in order of appearance"),
        ),
    }
    wants_all = True

    def setup(self) -> None:
        self.frames = self.new_table("frames")
        self.ids: dict[int, list[object]] = {}
        self.hosts: dict[int, dict[str, None]] = {}

    def on_packet(self, p: Pkt) -> None:
        data = p.data
        if p.linktype != LT_ETHERNET or len(data) < 18 or (data[12] << 8 | data[13]) not in TAGS:
            return
        tci = data[14] << 8 | data[15]
        inner = -1
        if len(data) >= 22 and (data[16] << 8 | data[17]) in TAGS:
            inner = (data[18] << 8 | data[19]) & 0xFFF
        vid = tci & 0xFFF
        src, dst = (ip_text(p.src), ip_text(p.dst)) if p.ipv else ("", "")
        self.frames.append({"frame": p.frame, "vlan": vid, "inner_vlan": inner,
                            "priority": tci >> 13, "src_mac": mac_text(data[6:12]),
                            "dst_mac": mac_text(data[0:6]), "src": src, "dst": dst})
        entry = self.ids.setdefault(vid, [vid, 0, p.frame, p.frame])
        entry[1] = int(str(entry[1])) + 1
        entry[3] = p.frame
        hosts = self.hosts.setdefault(vid, {})
        for address in (src, dst):
            if address:
                hosts.setdefault(address, None)

    def finish(self) -> Tables:
        ids = self.new_table("ids")
        for vid, (_v, count, first, last) in sorted(self.ids.items()):
            ids.append({"vlan": vid, "frames": count, "first_frame": first, "last_frame": last,
                        "hosts": ",".join(self.hosts.get(vid, {}))})
        return {"frames": self.frames, "ids": ids}
