"""``http-transfer``: a file downloaded (GET, the file in the response) or uploaded (PUT or
POST, the file as the request body) over HTTP, with real bytes, so
``tshark --export-objects http`` carves it with the same SHA-256."""

from __future__ import annotations

from typing import Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field

from runner.generate.events.base import Event, EventContext, EventParams
from runner.generate.events.payload import PayloadSpec, digests, payload_bytes
from runner.generate.wire.tcp import MS, TcpFlow

_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv",
          ".zip": "application/zip", ".exe": "application/x-msdownload",
          ".png": "image/png", ".jpg": "image/jpeg", ".docx": "application/vnd."
          "openxmlformats-officedocument.wordprocessingml.document"}


class HttpTransferParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) of the HTTP client.")
    server: str = Field(description="Host key (or IPv4 address) of the web server.")
    direction: Literal["download", "upload"] = "download"
    method: Literal["GET", "PUT", "POST"] | None = Field(None, description="Default: GET for "
                                                         "a download, PUT for an upload.")
    host_name: str = Field("files.example.com", description="Host header.")
    path: str | None = Field(None, description="URL path (default: /files/NAME).")
    port: int = Field(80, ge=1, le=65535)
    payload: PayloadSpec = Field(default_factory=PayloadSpec)
    user_agent: str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"
    rtt_ms: float = Field(30.0, ge=0.1, le=2000)


class HttpTransfer(Event):
    type: ClassVar[str] = "http-transfer"
    Params = HttpTransferParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, HttpTransferParams)
        client, server = ctx.node(params.client), ctx.node(params.server)
        data = payload_bytes(params.payload, ctx.gen, ctx.rng)
        name = params.payload.name
        path = params.path or f"/files/{quote(name)}"
        ctype = next((v for k, v in _TYPES.items() if name.lower().endswith(k)),
                     "application/octet-stream")
        upload = params.direction == "upload"
        method = params.method or ("PUT" if upload else "GET")
        head = (f"{method} {path} HTTP/1.1\r\nHost: {params.host_name}\r\nUser-Agent: "
                f"{params.user_agent}\r\nAccept: */*\r\n")
        if upload:
            request = (head + f"Content-Type: {ctype}\r\nContent-Length: {len(data)}\r\n\r\n"
                       ).encode() + data
            response = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
        else:
            request = (head + "\r\n").encode()
            response = (f"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: {ctype}\r\n"
                        f"Content-Length: {len(data)}\r\nContent-Disposition: attachment; "
                        f"filename=\"{name}\"\r\n\r\n").encode() + data
        flow = TcpFlow(ctx.sink, client, server, ctx.rng.randrange(49152, 65535), params.port,
                       ctx.rng, rtt_ms=params.rtt_ms)
        t = flow.exchange(flow.open(ctx.time(params.at)), request, response, 15.0)
        flow.close(t + flow.jitter(200 * MS), by_client=True)
        port = "" if params.port == 80 else f":{params.port}"
        return {"client": client.ip, "server": server.ip, "direction": params.direction,
                "method": method, "url": f"http://{params.host_name}{port}{path}", "file": name,
                "content_type": ctype, **digests(data, ctx.gen, name)}
