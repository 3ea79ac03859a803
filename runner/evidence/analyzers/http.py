"""``http``: requests, responses and the objects they carried, reassembled from TCP streams."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.objects import ObjectWriter, object_name
from runner.evidence.proto.httpwire import (
    Message,
    looks_like_http,
    parse_requests,
    parse_responses,
)
from runner.evidence.streams import Stream

HTTP_PORTS = frozenset({80, 8000, 8008, 8080, 8888, 3128})
Exchange = tuple[Message | None, Message | None]

_PEERS = (
    Field("client", "str", "address of the browser/client"),
    Field("client_port", "int", "client port"),
    Field("server", "str", "address of the web server"),
    Field("server_port", "int", "server port"),
)
_REQ = (
    Field("host", "str", "Host header"),
    Field("uri", "str", "request target as sent (path and query)"),
    Field("url", "str", "http://host + uri"),
)


def exchanges(stream: Stream) -> list[Exchange]:
    """Requests of a stream paired with their responses; parsed once, shared by analyzers.

    Where the capture lost bytes, a response may answer no request that survived; it
    comes as ``(None, response)``.
    """
    cached = stream.memo.get("http")
    if cached is None:
        client, server = stream.client, stream.server
        requests = parse_requests(client.data, client.gaps)
        methods = [r.first_line[0] for r in requests]
        responses = parse_responses(server.data, methods, server.gaps)
        if client.gaps or server.gaps:
            cached = _pair_across_gaps(stream, requests, responses)
        else:
            cached = [
                (req, responses[i] if i < len(responses) else None)
                for i, req in enumerate(requests)
            ]
        stream.memo["http"] = cached
    return list(cached)


def _pair_across_gaps(
    stream: Stream, requests: list[Message], responses: list[Message]
) -> list[Exchange]:
    """Pair by frame order when bytes are missing: a response answers a request sent
    before it; after a gap in the server's bytes (responses lost) the latest such
    request, else the earliest one not yet answered (pipelining)."""
    sent = [stream.client.frame_at(r.end - 1) for r in requests]
    answers: dict[int, Message] = {}
    orphans: list[Exchange] = []
    nxt, last_end = 0, 0
    for resp in responses:
        began = stream.server.frame_at(resp.start)
        waiting = [i for i in range(nxt, len(requests)) if sent[i] < began]
        after_gap = any(last_end <= g <= resp.start for g, _ in stream.server.gaps)
        last_end = resp.end
        if not waiting:
            orphans.append((None, resp))
            continue
        chosen = waiting[-1] if after_gap else waiting[0]
        answers[chosen] = resp
        nxt = chosen + 1
    paired: list[Exchange] = [(req, answers.get(i)) for i, req in enumerate(requests)]
    return paired + orphans


@register
class Http(Analyzer):
    """HTTP/1.x on the usual ports, or any TCP stream whose first bytes look like HTTP."""

    name = "http"
    description = "HTTP requests, responses and exportable objects (chunked and gzip decoded)"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "requests": (
            Field("frame", "int", "frame completing the request (as Wireshark shows it)"),
            Field("time", "str", "UTC time of that frame"),
            *_PEERS,
            Field("method", "str", "GET, POST, ..."),
            *_REQ,
            Field("user_agent", "str", "User-Agent header"),
            Field("referer", "str", "Referer header"),
            Field("content_type", "str", "Content-Type of the request body"),
            Field("content_length", "int", "request body bytes"),
        ),
        "responses": (
            Field("frame", "int", "frame completing the response"),
            Field("time", "str", "UTC time of that frame"),
            *_PEERS,
            Field("status", "int", "status code"),
            Field("reason", "str", "reason phrase"),
            Field("content_type", "str", "Content-Type header"),
            Field("content_length", "int", "decoded body bytes"),
            Field("request_frame", "int", "frame of the request answered"),
            *_REQ,
        ),
        "objects": (
            Field("frame", "int", "frame completing the message that carried the object"),
            Field("request_frame", "int", "frame of the request"),
            Field("direction", "str", "response (a download) or request (an upload/form body)"),
            *_PEERS,
            *_REQ,
            Field("filename", "str", "safe file name used by --export-objects"),
            Field("content_type", "str", "Content-Type header"),
            Field("size", "int", "decoded size in bytes"),
            Field("sha256", "str", "SHA-256 of the decoded object"),
            Field("md5", "str", "MD5 of the decoded object"),
            Field("complete", "bool", "False when the capture lacks part of the body"),
        ),
    }
    tcp_ports = HTTP_PORTS

    def setup(self) -> None:
        self.requests = self.new_table("requests")
        self.responses = self.new_table("responses")
        self.objects = self.new_table("objects")
        export = self.options.export_dir
        self.writer = ObjectWriter(export) if export is not None else None

    def sniff(self, payload: bytes) -> bool:
        return looks_like_http(payload)

    def on_stream(self, stream: Stream) -> None:
        flow = stream.flow
        peers: Row = {
            "client": ip_text(flow.src),
            "client_port": flow.sport,
            "server": ip_text(flow.dst),
            "server_port": flow.dport,
        }
        for req, resp in exchanges(stream):
            if req is None:  # its request was lost with bytes the capture missed
                if resp is not None:
                    self._response(stream, resp, 0, peers, _NO_TARGET)
                continue
            req_frame = stream.client.frame_at(req.end - 1)
            target = _target(req)
            for problem in req.problems:
                self.warn(req_frame, problem)
            self.requests.append(self._request_row(stream, req, req_frame, peers, target))
            if req.body:  # an upload or form post: Wireshark exports these too
                meta = {"frame": req_frame, "request_frame": req_frame, "direction": "request"}
                self._object(req.body, meta, peers, target, req)
            if resp is not None:
                self._response(stream, resp, req_frame, peers, target)

    def _request_row(
        self, stream: Stream, req: Message, frame: int, peers: Row, target: Row
    ) -> Row:
        h = req.headers
        return {
            "frame": frame,
            "time": iso_time(stream.client.time_at(req.end - 1)),
            **peers,
            "method": req.first_line[0],
            **target,
            "user_agent": h.get("user-agent", ""),
            "referer": h.get("referer", ""),
            "content_type": h.get("content-type", ""),
            "content_length": len(req.body),
        }

    def _response(
        self, stream: Stream, resp: Message, req_frame: int, peers: Row, target: Row
    ) -> None:
        frame = stream.server.frame_at(resp.end - 1)
        for problem in resp.problems:
            self.warn(frame, problem)
        status = resp.first_line[1]
        ctype = resp.headers.get("content-type", "")
        self.responses.append(
            {
                "frame": frame,
                "time": iso_time(stream.server.time_at(resp.end - 1)),
                **peers,
                "status": int(status) if status.isdigit() else 0,
                "reason": resp.first_line[2],
                "content_type": ctype,
                "content_length": len(resp.body),
                "request_frame": req_frame,
                **target,
            }
        )
        if resp.body:
            meta = {"frame": frame, "request_frame": req_frame, "direction": "response"}
            self._object(resp.body, meta, peers, target, resp)

    def _object(self, body: bytes, meta: Row, peers: Row, target: Row, msg: Message) -> None:
        filename = object_name(str(target["uri"]))
        if self.writer is not None:
            filename = self.writer.write(filename, body)
        self.objects.append(
            {
                **meta,
                **peers,
                **target,
                "filename": filename,
                "content_type": msg.headers.get("content-type", ""),
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
                "md5": hashlib.md5(body, usedforsecurity=False).hexdigest(),
                "complete": msg.complete,
            }
        )

    def finish(self) -> Tables:
        return {
            "requests": self.requests.sort_by("frame"),
            "responses": self.responses.sort_by("frame"),
            "objects": self.objects.sort_by("frame"),
        }


_NO_TARGET: Row = {"host": "", "uri": "", "url": ""}


def _target(req: Message) -> Row:
    host = req.headers.get("host", "")
    uri = req.first_line[1]
    url = uri if uri.startswith(("http://", "https://")) else f"http://{host}{uri}"
    return {"host": host, "uri": uri, "url": url}
