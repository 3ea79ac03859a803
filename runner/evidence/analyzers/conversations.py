"""``conversations``: TCP and UDP flows by direction-agnostic 5-tuple, with TCP state."""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time, seconds
from runner.evidence.decode import PROTO_TCP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN
from runner.evidence.flows import Flow

_COMMON = (
    Field("stream", "int", "0-based index in order of first packet (like tcp.stream/udp.stream)"),
    Field("src", "str", "address of the side that opened the conversation"),
    Field("src_port", "int", "its port"),
    Field("dst", "str", "address of the side that answered"),
    Field("dst_port", "int", "its port"),
    Field("first_frame", "int", "first frame of the conversation"),
    Field("last_frame", "int", "last frame of the conversation"),
    Field("first_time", "str", "UTC time of the first frame"),
    Field("last_time", "str", "UTC time of the last frame"),
    Field("duration", "float", "seconds from first to last frame"),
    Field("packets", "int", "frames both ways"),
    Field("bytes", "int", "wire bytes both ways"),
    Field("packets_src_to_dst", "int", "frames sent by src"),
    Field("bytes_src_to_dst", "int", "wire bytes sent by src"),
    Field("packets_dst_to_src", "int", "frames sent by dst"),
    Field("bytes_dst_to_src", "int", "wire bytes sent by dst"),
)
_STATE = Field(
    "state",
    "str",
    "syn-only (no answer), rejected (RST to SYN), established, closed (FIN), reset, "
    "or midstream (capture began after the handshake)",
)


def tcp_state(flow: Flow) -> str:
    """Summarise the TCP flags seen each way as the conversation's outcome."""
    ab, ba = flow.flags_ab, flow.flags_ba
    handshake = ab & TCP_SYN and ba & TCP_SYN and ba & TCP_ACK
    if not (ab | ba) & TCP_SYN:
        return "midstream"
    if not handshake:
        return "rejected" if ba & TCP_RST else "syn-only"
    if (ab | ba) & TCP_RST:
        return "reset"
    if (ab | ba) & TCP_FIN:
        return "closed"
    return "established"


@register
class Conversations(Analyzer):
    """Reads the engine's flow table once the pass is over."""

    name = "conversations"
    description = "TCP and UDP flows: 5-tuple, first/last frame and time, packets, bytes, state"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "tcp": (*_COMMON, _STATE),
        "udp": _COMMON,
    }
    wants_flows = True

    def setup(self) -> None:
        self.rows = {"tcp": self.new_table("tcp"), "udp": self.new_table("udp")}

    def on_flows(self, flows: list[Flow]) -> None:
        tcp, udp = self.rows["tcp"].rows, self.rows["udp"].rows  # tuples in field order
        for flow in flows:
            if flow.proto == PROTO_TCP:
                tcp.append((*_row(flow, len(tcp)), tcp_state(flow)))
            else:
                udp.append(_row(flow, len(udp)))

    def finish(self) -> Tables:
        return dict(self.rows)


def _row(flow: Flow, index: int) -> tuple[object, ...]:
    """The ``_COMMON`` fields of a flow, in order."""
    first, last = flow.first_ts, flow.last_ts
    return (
        index,
        ip_text(flow.src),
        flow.sport,
        ip_text(flow.dst),
        flow.dport,
        flow.first_frame,
        flow.last_frame,
        iso_time(first),
        iso_time(last),
        seconds(last - first),
        flow.pkts_ab + flow.pkts_ba,
        flow.bytes_ab + flow.bytes_ba,
        flow.pkts_ab,
        flow.bytes_ab,
        flow.pkts_ba,
        flow.bytes_ba,
    )
