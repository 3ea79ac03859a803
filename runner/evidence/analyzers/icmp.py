"""``icmp``: ICMP and ICMPv6 messages, echo request/reply pairs, and unanswered requests."""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Table, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.decode import PROTO_ICMP, PROTO_ICMP6, Pkt

_V4 = {0: "echo-reply", 3: "unreachable", 5: "redirect", 8: "echo-request", 11: "time-exceeded"}
_V6 = {
    1: "unreachable",
    3: "time-exceeded",
    128: "echo-request",
    129: "echo-reply",
    133: "router-solicitation",
    134: "router-advertisement",
    135: "neighbor-solicitation",
    136: "neighbor-advertisement",
    137: "redirect",
}
_ECHO = {(4, 8): True, (4, 0): False, (6, 128): True, (6, 129): False}


@register
class Icmp(Analyzer):
    """One row per ICMP message; echo requests matched to replies by addresses, id and sequence."""

    name = "icmp"
    description = "ICMP type/code, echo request/reply pairs, unanswered requests"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "messages": (
            Field("frame", "int", "frame"),
            Field("time", "str", "UTC time"),
            Field("src", "str", "sender"),
            Field("dst", "str", "receiver"),
            Field("version", "int", "4 (ICMP) or 6 (ICMPv6)"),
            Field("type", "int", "ICMP type"),
            Field("code", "int", "ICMP code"),
            Field("type_name", "str", "echo-request, time-exceeded, ..."),
            Field("id", "int", "echo identifier (-1 for other types)"),
            Field("seq", "int", "echo sequence number (-1 for other types)"),
        ),
        "echoes": (
            Field("request_frame", "int", "frame of the echo request"),
            Field("reply_frame", "int", "frame of the reply (0 when unanswered)"),
            Field("src", "str", "who pinged"),
            Field("dst", "str", "who was pinged"),
            Field("id", "int", "echo identifier"),
            Field("seq", "int", "echo sequence number"),
            Field("answered", "bool", "a reply was seen"),
            Field("rtt_ms", "float", "reply time in milliseconds (0 when unanswered)"),
        ),
    }
    ip_protos = frozenset({PROTO_ICMP, PROTO_ICMP6})

    def setup(self) -> None:
        self.messages = self.new_table("messages")
        # Echo rows as lists in field order (a reply fills one in), tables at the end.
        self.echoes: list[list[object]] = []
        self.waiting: dict[tuple[bytes, bytes, int, int], tuple[list[object], int]] = {}

    def on_ip(self, p: Pkt) -> None:
        l4, data = p.l4, p.data
        if p.frag and l4 + 4 > p.end:
            return
        if l4 + 4 > p.end:
            self.warn(p.frame, "ICMP header cut short")
            return
        version = p.ipv
        itype, code = data[l4], data[l4 + 1]
        echo = _ECHO.get((version, itype))
        ident = seq = -1
        if echo is not None and l4 + 8 <= p.end:
            ident, seq = data[l4 + 4] << 8 | data[l4 + 5], data[l4 + 6] << 8 | data[l4 + 7]
        names = _V4 if version == 4 else _V6
        src, dst = ip_text(p.src), ip_text(p.dst)
        self.messages.rows.append(
            (
                p.frame,
                iso_time(p.ts),
                src,
                dst,
                version,
                itype,
                code,
                names.get(itype, f"type-{itype}"),
                ident,
                seq,
            )
        )
        if echo is None or ident < 0:
            return
        if echo:
            row: list[object] = [p.frame, 0, src, dst, ident, seq, False, 0.0]
            self.echoes.append(row)
            self.waiting[(p.src, p.dst, ident, seq)] = (row, p.ts)
            return
        match = self.waiting.pop((p.dst, p.src, ident, seq), None)
        if match is not None:
            row, sent = match
            row[1], row[6], row[7] = p.frame, True, round((p.ts - sent) / 1e6, 3)

    def finish(self) -> Tables:
        echoes = Table((f.name for f in self.tables["echoes"]), self.echoes)
        self.echoes = []
        return {"messages": self.messages, "echoes": echoes}
