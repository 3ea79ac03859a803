"""``credentials``: user names and passwords sent in cleartext.

FTP USER/PASS, Telnet logins, HTTP Basic and Bearer authorization, HTTP form and JSON bodies with a
password-like field, and POP3/IMAP/SMTP logins (USER/PASS, LOGIN, AUTH PLAIN and
AUTH LOGIN, base64 decoded). Each row is one credential pair as the client sent it;
whether the server accepted it is in ``accepted`` when the reply shows it.
"""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.http import HTTP_PORTS, exchanges
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.proto.creds import Found, http_credentials, mail_or_ftp, telnet
from runner.evidence.proto.httpwire import looks_like_http
from runner.evidence.streams import Stream

_LINE_PORTS = {21: "ftp", 110: "pop3", 143: "imap", 25: "smtp", 587: "smtp", 2525: "smtp"}


@register
class Credentials(Analyzer):
    """Cleartext logins from the client side of FTP, Telnet, HTTP, POP3, IMAP and SMTP streams."""

    name = "credentials"
    description = "cleartext credentials: FTP, Telnet, HTTP Basic/forms, POP3, IMAP, SMTP"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "credentials": (
            Field("frame", "int", "frame carrying the password (or the single auth token)"),
            Field("time", "str", "UTC time of that frame"),
            Field("protocol", "str", "ftp, telnet, http, pop3, imap or smtp"),
            Field(
                "method",
                "str",
                "USER/PASS, LOGIN, AUTH PLAIN, AUTH LOGIN, Basic, Bearer, form, json",
            ),
            Field("client", "str", "client address"),
            Field("server", "str", "server address"),
            Field("server_port", "int", "server port"),
            Field("username", "str", "user name as sent"),
            Field("password", "str", "password as sent"),
            Field("url", "str", "for HTTP: the URL the credentials were sent to"),
        )
    }
    tcp_ports = frozenset({*_LINE_PORTS, 23, *HTTP_PORTS})

    def setup(self) -> None:
        self.rows = self.new_table("credentials")

    def sniff(self, payload: bytes) -> bool:
        return looks_like_http(payload)

    def on_stream(self, stream: Stream) -> None:
        port = stream.flow.dport
        if port in _LINE_PORTS:
            self._emit(stream, _LINE_PORTS[port], mail_or_ftp(stream.client, _LINE_PORTS[port]))
        elif port == 23:
            self._emit(stream, "telnet", telnet(stream.client, stream.server))
        elif port in HTTP_PORTS or looks_like_http(stream.client.data[:512]):
            found = []
            for req, _resp in exchanges(stream):
                if req is None:
                    continue
                frame = stream.client.frame_at(req.end - 1)
                found.extend(http_credentials(req, frame))
            self._emit(stream, "http", found)

    def _emit(self, stream: Stream, protocol: str, found: list[Found]) -> None:
        flow = stream.flow
        for item in found:
            self.rows.append(
                {
                    "frame": item.frame,
                    "time": iso_time(_time(stream, item.frame)),
                    "protocol": protocol,
                    "method": item.method,
                    "client": ip_text(flow.src),
                    "server": ip_text(flow.dst),
                    "server_port": flow.dport,
                    "username": item.username,
                    "password": item.password,
                    "url": item.url,
                }
            )

    def finish(self) -> Tables:
        return {"credentials": self.rows.sort_by("frame")}


def _time(stream: Stream, frame: int) -> int:
    for side in (stream.client, stream.server):
        if frame in side.frames:
            return side.times[side.frames.index(frame)]
    return stream.flow.first_ts
