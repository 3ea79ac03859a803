"""``dns``: queries, responses and answer records (UDP and TCP; mDNS and LLMNR included)."""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.decode import Pkt
from runner.evidence.proto.dnswire import DnsError, Message, parse
from runner.evidence.streams import Side, Stream

# 53 DNS, 5353 multicast DNS, 5355 LLMNR: all DNS wire format, and all shown by
# Wireshark's "dns" display filter fields, so a trainee filtering on dns sees them too.
DNS_PORTS = frozenset({53, 5353, 5355})
_PROTOCOL = {53: "dns", 5353: "mdns", 5355: "llmnr"}
_WHERE = (
    Field("frame", "int", "frame carrying the message"),
    Field("time", "str", "UTC time of that frame"),
    Field("src", "str", "sender address"),
    Field("dst", "str", "receiver address"),
    Field("transport", "str", "udp or tcp"),
    Field("protocol", "str", "dns, mdns (multicast DNS, port 5353) or llmnr (port 5355)"),
    Field("id", "int", "DNS transaction id"),
    Field("name", "str", "queried name (first question), '<Root>' for the root"),
    Field("type", "str", "queried record type, e.g. A, AAAA, TXT"),
)


@register
class Dns(Analyzer):
    """One row per message in ``queries``/``responses``, one per answer record in ``answers``."""

    name = "dns"
    description = "DNS queries and responses: name, type, rcode, answers, frame"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "queries": _WHERE,
        "responses": (
            *_WHERE,
            Field("rcode", "str", "NOERROR, NXDOMAIN, SERVFAIL, ..."),
            Field("answer_count", "int", "records in the answer section"),
            Field("answers", "str", "answer data, comma separated"),
            Field("query_frame", "int", "frame of the matching query (0 if not seen)"),
        ),
        "answers": (
            Field("frame", "int", "frame of the response"),
            Field("name", "str", "owner name of the record"),
            Field("type", "str", "record type"),
            Field("ttl", "int", "time to live, seconds"),
            Field("data", "str", "address, name or text of the record"),
        ),
    }
    udp_ports = DNS_PORTS
    tcp_ports = frozenset({53})

    def setup(self) -> None:
        self.queries = self.new_table("queries")
        self.responses = self.new_table("responses")
        self.answers = self.new_table("answers")
        self.pending: dict[tuple[str, int], int] = {}

    def on_udp(self, p: Pkt) -> None:
        try:
            msg = parse(p.data[p.pl : p.end])
        except DnsError as exc:
            self.warn(p.frame, f"damaged DNS message skipped ({exc})")
            return
        port = p.dport if p.dport in DNS_PORTS else p.sport
        self._add(msg, p.frame, p.ts, ip_text(p.src), ip_text(p.dst), _PROTOCOL[port])

    def on_stream(self, stream: Stream) -> None:
        flow = stream.flow
        client, server = ip_text(flow.src), ip_text(flow.dst)
        self._tcp_side(stream.client, client, server)
        self._tcp_side(stream.server, server, client)

    def _tcp_side(self, side: Side, src: str, dst: str) -> None:
        data, pos = side.data, 0
        while pos + 2 <= len(data):  # DNS over TCP: each message has a 2-byte length prefix
            size = data[pos] << 8 | data[pos + 1]
            body = data[pos + 2 : pos + 2 + size]
            if len(body) < size or size == 0:
                break
            frame = side.frame_at(pos + 1 + size)
            try:
                msg = parse(body)
            except DnsError as exc:
                self.warn(frame, f"damaged DNS message skipped ({exc})")
            else:
                self._add(msg, frame, side.time_at(pos + 1 + size), src, dst, "dns/tcp")
            pos += 2 + size

    def _add(self, msg: Message, frame: int, ts: int, src: str, dst: str, how: str) -> None:
        name, qtype = msg.questions[0] if msg.questions else ("", "")
        protocol, _, transport = how.partition("/")
        row: Row = {
            "frame": frame,
            "time": iso_time(ts),
            "src": src,
            "dst": dst,
            "transport": transport or "udp",
            "protocol": protocol,
            "id": msg.id,
            "name": name,
            "type": qtype,
        }
        if not msg.response:
            self.queries.append(row)
            self.pending[(src, msg.id)] = frame
            return
        row["rcode"] = msg.rcode
        row["answer_count"] = len(msg.answers)
        row["answers"] = ",".join(a.data for a in msg.answers)
        row["query_frame"] = self.pending.get((dst, msg.id), 0)
        self.responses.append(row)
        for ans in msg.answers:
            self.answers.append(
                {
                    "frame": frame,
                    "name": ans.name,
                    "type": ans.type,
                    "ttl": ans.ttl,
                    "data": ans.data,
                }
            )

    def finish(self) -> Tables:
        return {
            "queries": self.queries.sort_by("frame"),
            "responses": self.responses.sort_by("frame"),
            "answers": self.answers.sort_by("frame"),
        }
