"""``tls``: ClientHello server names and versions, and the version each server chose."""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.proto.tlswire import Hello, TlsError, first_hello, looks_like_tls, version_name
from runner.evidence.streams import Side, Stream

_PEERS = (
    Field("frame", "int", "frame completing the hello"),
    Field("time", "str", "UTC time of that frame"),
    Field("client", "str", "client address"),
    Field("client_port", "int", "client port"),
    Field("server", "str", "server address"),
    Field("server_port", "int", "server port"),
)


@register
class Tls(Analyzer):
    """Any TCP stream whose first client bytes are a TLS handshake record, whatever the port."""

    name = "tls"
    description = "TLS ClientHello SNI, offered versions and ALPN; ServerHello chosen version"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "client_hellos": (
            *_PEERS,
            Field("sni", "str", "server name indication (host name asked for)"),
            Field("version", "str", "legacy version field, e.g. TLS 1.2"),
            Field("supported_versions", "str", "versions offered, comma separated"),
            Field("max_version", "str", "highest version offered"),
            Field("alpn", "str", "application protocols offered, comma separated"),
            Field("cipher_count", "int", "cipher suites offered"),
        ),
        "server_hellos": (
            *_PEERS,
            Field("version", "str", "version the server chose"),
            Field("cipher", "str", "cipher suite chosen, hex"),
        ),
    }
    stream_limit = 64 * 1024

    def setup(self) -> None:
        self.clients = self.new_table("client_hellos")
        self.servers = self.new_table("server_hellos")

    def sniff(self, payload: bytes) -> bool:
        return looks_like_tls(payload)

    def on_stream(self, stream: Stream) -> None:
        flow = stream.flow
        peers = {
            "client": ip_text(flow.src),
            "client_port": flow.sport,
            "server": ip_text(flow.dst),
            "server_port": flow.dport,
        }
        hello = self._hello(stream.client, flow.first_frame)
        if hello is not None and hello.kind == 1:
            offered = hello.versions or [hello.version]
            self.clients.append(
                {
                    **self._where(stream.client, hello.end),
                    **peers,
                    "sni": hello.sni,
                    "version": version_name(hello.version),
                    "supported_versions": ",".join(version_name(v) for v in offered),
                    "max_version": version_name(max(offered)),
                    "alpn": ",".join(hello.alpn),
                    "cipher_count": len(hello.ciphers),
                }
            )
        reply = self._hello(stream.server, flow.first_frame)
        if reply is not None and reply.kind == 2:
            chosen = reply.versions[0] if reply.versions else reply.version
            self.servers.append(
                {
                    **self._where(stream.server, reply.end),
                    **peers,
                    "version": version_name(chosen),
                    "cipher": f"0x{reply.ciphers[0]:04x}",
                }
            )

    def _hello(self, side: Side, frame: int) -> Hello | None:
        if not side.data or side.data[0] != 0x16:
            return None
        try:
            return first_hello(side.data)
        except TlsError as exc:
            self.warn(side.frames[0] if side.frames else frame, f"unreadable TLS hello ({exc})")
            return None

    @staticmethod
    def _where(side: Side, end: int) -> Row:
        return {"frame": side.frame_at(end - 1), "time": iso_time(side.time_at(end - 1))}

    def finish(self) -> Tables:
        return {
            "client_hellos": self.clients.sort_by("frame"),
            "server_hellos": self.servers.sort_by("frame"),
        }
