"""``login``: cleartext logins and brute force: FTP, Telnet, HTTP Basic, HTTP form POST,
POP3, IMAP and SMTP AUTH.

Each attempt is one TCP connection, as brute-force tools open them: the wrong
``guesses`` first (rejected as the server would reject them), then ``password``
(accepted unless ``accepted: false``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, ClassVar, Literal
from urllib.parse import quote_plus

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.wire.tcp import MS, TcpFlow, keystrokes

Protocol = Literal["ftp", "telnet", "http-basic", "http-form", "pop3", "imap", "smtp"]
PORTS = {"ftp": 21, "telnet": 23, "http-basic": 80, "http-form": 80, "pop3": 110, "imap": 143,
         "smtp": 25}
Step = tuple[bool, bytes]  # (from the client, bytes)


class LoginParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) logging in.")
    server: str = Field(description="Host key (or IPv4 address) of the service.")
    protocol: Protocol
    port: int | None = Field(None, ge=1, le=65535, description="Default: the protocol's port.")
    username: str = Field(min_length=1)
    password: str = Field(min_length=1, description="The right password (sent last).")
    guesses: list[str] = Field(default_factory=list, max_length=100_000,
                               description="Wrong passwords tried first (brute force).")
    accepted: bool = Field(True, description="Whether the right password is accepted.")
    interval: float = Field(1.5, gt=0, le=3600, description="Seconds between attempts.")
    path: str = Field("/login", description="HTTP: the URL path posted or fetched.")
    host_name: str = Field("intranet.local", description="HTTP: the Host header.")
    rtt_ms: float = Field(2.0, ge=0.1, le=2000)


class Login(Event):
    type: ClassVar[str] = "login"
    Params = LoginParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, LoginParams)
        client, server = ctx.node(params.client), ctx.node(params.server)
        port = params.port or PORTS[params.protocol]
        t = ctx.time(params.at)
        tries = [(p, False) for p in params.guesses] + [(params.password, params.accepted)]
        for password, ok in tries:
            flow = TcpFlow(ctx.sink, client, server, ctx.rng.randrange(40000, 61000), port,
                           ctx.rng, rtt_ms=params.rtt_ms)
            start = flow.open(t)
            if params.protocol == "telnet":
                _telnet(flow, start, params.username, password, ok)
            else:
                _dialog(flow, start, DIALOGS[params.protocol](params, password, ok))
            t += int(params.interval * NS * ctx.rng.uniform(0.8, 1.2))
        values: dict[str, Any] = {
            "protocol": params.protocol, "client": client.ip, "server": server.ip, "port": port,
            "username": params.username, "password": params.password,
            "attempts": len(tries), "failed": len(tries) - (1 if params.accepted else 0),
            "accepted": params.accepted}
        if params.protocol.startswith("http"):
            values["url"] = f"http://{params.host_name}{params.path}"
        return values


def _dialog(flow: TcpFlow, t: int, steps: list[Step]) -> None:
    for from_client, data in steps:
        t = flow.send(t + flow.jitter((30 if from_client else 2) * MS), from_client, data)
    flow.close(t + flow.jitter(MS), by_client=False)


def _telnet(flow: TcpFlow, t: int, user: str, password: str, ok: bool) -> None:
    t = flow.send(t, False, b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27")
    t = flow.send(t + 5 * MS, True, b"\xff\xfc\x18\xff\xfc\x20\xff\xfc\x23\xff\xfc\x27")
    t = flow.send(t + 5 * MS, False, b"\xff\xfb\x03\xff\xfb\x01\r\nUbuntu 22.04 LTS\r\nlogin: ")
    t = keystrokes(flow, t + 400 * MS, user + "\r", echo=True)
    t = flow.send(t, False, b"\r\nPassword: ")
    t = keystrokes(flow, t + 300 * MS, password + "\r", echo=False)
    reply = (b"\r\nWelcome to Ubuntu 22.04 LTS\r\n$ " if ok else b"\r\nLogin incorrect\r\n")
    t = flow.send(t + 800 * MS, False, reply)
    if ok:
        t = keystrokes(flow, t + 500 * MS, "exit\r", echo=True)
    flow.close(t + flow.jitter(MS), by_client=False)


def _ftp(p: LoginParams, password: str, ok: bool) -> list[Step]:
    return [(False, b"220 (vsFTPd 3.0.5)\r\n"), (True, f"USER {p.username}\r\n".encode()),
            (False, b"331 Please specify the password.\r\n"),
            (True, f"PASS {password}\r\n".encode()),
            (False, b"230 Login successful.\r\n" if ok else b"530 Login incorrect.\r\n"),
            (True, b"QUIT\r\n"), (False, b"221 Goodbye.\r\n")]


def _pop3(p: LoginParams, password: str, ok: bool) -> list[Step]:
    return [(False, b"+OK Dovecot ready.\r\n"), (True, f"USER {p.username}\r\n".encode()),
            (False, b"+OK\r\n"), (True, f"PASS {password}\r\n".encode()),
            (False, b"+OK Logged in.\r\n" if ok else b"-ERR [AUTH] Authentication failed.\r\n"),
            (True, b"QUIT\r\n"), (False, b"+OK Logging out.\r\n")]


def _imap(p: LoginParams, password: str, ok: bool) -> list[Step]:
    return [(False, b"* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n"),
            (True, f'a001 LOGIN {p.username} "{password}"\r\n'.encode()),
            (False, b"a001 OK Logged in\r\n" if ok
             else b"a001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
            (True, b"a002 LOGOUT\r\n"),
            (False, b"* BYE Logging out\r\na002 OK Logout completed.\r\n")]


def _smtp(p: LoginParams, password: str, ok: bool) -> list[Step]:
    user, secret = (base64.b64encode(v.encode()) + b"\r\n" for v in (p.username, password))
    return [(False, b"220 mail.example.com ESMTP Postfix\r\n"), (True, b"EHLO client\r\n"),
            (False, b"250-mail.example.com\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n"
                    b"250 8BITMIME\r\n"),
            (True, b"AUTH LOGIN\r\n"), (False, b"334 VXNlcm5hbWU6\r\n"), (True, user),
            (False, b"334 UGFzc3dvcmQ6\r\n"), (True, secret),
            (False, b"235 2.7.0 Authentication successful\r\n" if ok
             else b"535 5.7.8 Error: authentication failed\r\n"),
            (True, b"QUIT\r\n"), (False, b"221 2.0.0 Bye\r\n")]


def _http_basic(p: LoginParams, password: str, ok: bool) -> list[Step]:
    token = base64.b64encode(f"{p.username}:{password}".encode()).decode()
    body = b"<html><body>Welcome</body></html>\n" if ok else b"<html><body>401</body></html>\n"
    status = b"200 OK" if ok else b"401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"admin\""
    return [(True, f"GET {p.path} HTTP/1.1\r\nHost: {p.host_name}\r\nAuthorization: Basic "
                   f"{token}\r\nUser-Agent: Mozilla/5.0\r\n\r\n".encode()),
            (False, b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\nContent-Length: "
             + str(len(body)).encode() + b"\r\n\r\n" + body)]


def _http_form(p: LoginParams, password: str, ok: bool) -> list[Step]:
    form = f"username={quote_plus(p.username)}&password={quote_plus(password)}&submit=Login"
    body = b"" if ok else b"<html><body>Login failed</body></html>\n"
    head = (b"HTTP/1.1 302 Found\r\nLocation: /index.php\r\n" if ok
            else b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    return [(True, f"POST {p.path} HTTP/1.1\r\nHost: {p.host_name}\r\nUser-Agent: Mozilla/5.0"
                   "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                   f"{len(form)}\r\n\r\n{form}".encode()),
            (False, head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)]


DIALOGS: dict[str, Callable[[LoginParams, str, bool], list[Step]]] = {
    "ftp": _ftp, "pop3": _pop3, "imap": _imap, "smtp": _smtp, "http-basic": _http_basic,
    "http-form": _http_form}
