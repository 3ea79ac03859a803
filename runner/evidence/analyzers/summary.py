"""``summary``: how much was captured, when, and on which kinds of link."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import iso_time, linktype_name, seconds
from runner.evidence.decode import Pkt

if TYPE_CHECKING:
    from runner.evidence.loop import Totals


@register
class Summary(Analyzer):
    """One row describing the whole capture."""

    name = "summary"
    description = "packets, bytes, first/last time, duration, link types, IP fragments"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "capture": (
            Field("packets", "int", "frames in the file"),
            Field("bytes", "int", "sum of frame lengths on the wire"),
            Field("first_time", "str", "UTC time of the first frame (ISO 8601)"),
            Field("last_time", "str", "UTC time of the last frame (ISO 8601)"),
            Field("first_epoch", "float", "first frame, seconds since the epoch"),
            Field("last_epoch", "float", "last frame, seconds since the epoch"),
            Field("duration", "float", "seconds between first and last frame"),
            Field("linktypes", "str", "link types seen, comma separated"),
            Field("ip_fragments", "int", "IPv4/IPv6 fragments seen"),
        )
    }
    wants_totals = True
    wants_fragments = True

    def setup(self) -> None:
        self.packets = self.bytes = self.fragments = 0
        self.first = self.last = 0
        self.linktypes: dict[int, int] = {}

    def on_totals(self, totals: Totals) -> None:
        self.packets, self.bytes = totals.packets, totals.bytes
        self.first, self.last = totals.first_ts, totals.last_ts
        self.linktypes = dict(totals.linktypes)

    def on_fragment(self, p: Pkt) -> None:
        self.fragments += 1

    def finish(self) -> Tables:
        return {
            "capture": [
                {
                    "packets": self.packets,
                    "bytes": self.bytes,
                    "first_time": iso_time(self.first) if self.packets else "",
                    "last_time": iso_time(self.last) if self.packets else "",
                    "first_epoch": seconds(self.first),
                    "last_epoch": seconds(self.last),
                    "duration": seconds(self.last - self.first),
                    "linktypes": ",".join(linktype_name(lt) for lt in self.linktypes),
                    "ip_fragments": self.fragments,
                }
            ]
        }
