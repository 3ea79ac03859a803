"""``streams`` (on demand): the reassembled text of every TCP stream, both directions.

What Wireshark's Follow TCP Stream shows, as a table: each direction's bytes in
order, printable ASCII kept and every other byte but CR, LF and TAB shown as ``.``
(as ``tshark -z follow,tcp,ascii``), cut at ``TEXT_LIMIT`` bytes per direction. So
"the stream in which the attacker typed ``whoami``" is a query:
``{from: streams.text, where: {client_text: {contains: whoami}}, select: stream}``.
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.streams import Stream

TEXT_LIMIT = 256 * 1024
_PRINTABLE = bytes(c if 32 <= c < 127 or c in (9, 10, 13) else 46 for c in range(256))


def printable(data: bytes) -> str:
    """Bytes as Follow TCP Stream's ASCII view: non-printable bytes become '.'."""
    return data.translate(_PRINTABLE).decode("ascii")


@register
class Streams(Analyzer):
    """Every TCP stream with payload (the flow table's order, as tcp.stream)."""

    name = "streams"
    on_demand = True
    description = "reassembled TCP stream text, both directions (on demand)"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "text": (
            Field("stream", "int", "index of the conversation (as conversations.tcp stream)"),
            Field("first_frame", "int", "first frame of the conversation"),
            Field("time", "str", "UTC time of the first frame"),
            Field("client", "str", "side that opened the connection"),
            Field("client_port", "int", "its port"),
            Field("server", "str", "other side"),
            Field("server_port", "int", "its port"),
            Field("client_bytes", "int", "payload bytes the client sent (reassembled)"),
            Field("server_bytes", "int", "payload bytes the server sent (reassembled)"),
            Field("client_text", "str", "client's bytes as text (first 256 KiB)"),
            Field("server_text", "str", "server's bytes as text (first 256 KiB)"),
            Field("gap", "bool", "a missing segment cut a direction short"),
        ),
    }
    stream_limit = TEXT_LIMIT

    def setup(self) -> None:
        self.rows = self.new_table("text")

    def sniff(self, payload: bytes) -> bool:
        return True  # every stream

    def on_stream(self, stream: Stream) -> None:
        flow = stream.flow
        if not stream.client.data and not stream.server.data:
            return
        self.rows.append({
            "stream": flow.index, "first_frame": flow.first_frame,
            "time": iso_time(flow.first_ts), "client": ip_text(flow.src),
            "client_port": flow.sport, "server": ip_text(flow.dst), "server_port": flow.dport,
            "client_bytes": len(stream.client.data), "server_bytes": len(stream.server.data),
            "client_text": printable(stream.client.data[:TEXT_LIMIT]),
            "server_text": printable(stream.server.data[:TEXT_LIMIT]),
            "gap": stream.client.gap or stream.server.gap,
        })

    def finish(self) -> Tables:
        return {"text": self.rows.sort_by("stream")}
