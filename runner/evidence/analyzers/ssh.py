"""``ssh``: SSH identification banners of each connection, client and server.

Every SSH connection starts with each side sending ``SSH-protoversion-softwareversion
comments`` in clear (RFC 4253 4.2): the one place a capture shows what software each
side runs, before the key exchange encrypts the rest.
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.proto.lines import Line, side_lines
from runner.evidence.streams import Side, Stream


@register
class Ssh(Analyzer):
    """SSH on port 22, or any TCP stream whose first bytes are ``SSH-``."""

    name = "ssh"
    description = "SSH banners: protocol and software versions of client and server"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "banners": (
            Field("frame", "int", "frame of the client's banner (the server's if none)"),
            Field("time", "str", "UTC time of that frame"),
            Field("client", "str", "client address"),
            Field("server", "str", "server address"),
            Field("server_port", "int", "server port"),
            Field("client_banner", "str", "client identification line (ssh.protocol)"),
            Field("server_banner", "str", "server identification line"),
            Field("client_version", "str", "protocol version the client speaks (2.0)"),
            Field("server_version", "str", "protocol version the server speaks"),
            Field("client_software", "str", "client software and version (OpenSSH_8.2p1)"),
            Field("server_software", "str", "server software and version"),
        ),
    }
    tcp_ports = frozenset({22})

    def setup(self) -> None:
        self.rows = self.new_table("banners")

    def sniff(self, payload: bytes) -> bool:
        return payload.startswith(b"SSH-")

    def on_stream(self, stream: Stream) -> None:
        client, server = _banner(stream.client), _banner(stream.server)
        if client is None and server is None:
            return
        first = client or server
        assert first is not None
        flow = stream.flow
        row = {"frame": first.frame, "time": iso_time(first.ts), "client": ip_text(flow.src),
               "server": ip_text(flow.dst), "server_port": flow.dport}
        for side, line in (("client", client), ("server", server)):
            text = line.text if line else ""
            _ssh, _, rest = text.partition("-")
            version, _, software = rest.partition("-")
            row.update({f"{side}_banner": text, f"{side}_version": version,
                        f"{side}_software": software.split(" ")[0]})
        self.rows.append(row)

    def finish(self) -> Tables:
        return {"banners": self.rows.sort_by("frame")}


def _banner(side: Side) -> Line | None:
    """The identification line; a server may send other lines first (RFC 4253 4.2)."""
    if b"SSH-" not in side.data[:8192]:
        return None
    for line in side_lines(Side(side.data[:8192], side.starts, side.frames, side.times)):
        if line.text.startswith("SSH-"):
            return line
    return None
