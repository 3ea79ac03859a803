"""HTTP: requests and responses from reassembled streams; chunked/gzip objects; export."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from evidence.conftest import Analyze
from runner.evidence import craft
from runner.evidence.analyzers.base import RunOptions
from runner.evidence.engine import analyze
from runner.evidence.objects import object_name

BODY = b"MZ" + bytes(range(256)) * 20


def _get(uri: str, host: str = "evil.example") -> bytes:
    return f"GET {uri} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/8\r\n\r\n".encode()


def _ok(body: bytes, extra: str = "") -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/x-msdownload\r\n{extra}"
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _chunked_gzip(body: bytes) -> bytes:
    packed = gzip.compress(body)
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(packed[i : i + 500]), packed[i : i + 500])
        for i in range(0, len(packed), 500)
    )
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head + chunks + b"0\r\n\r\n"


def test_request_response_and_object(run: Analyze) -> None:
    frames = craft.tcp_session([(True, _get("/dl/payload.exe?x=1")), (False, _ok(BODY))])
    facts = run(frames, "http")
    (req,) = facts.tables["http.requests"]
    assert (req["frame"], req["method"], req["host"], req["uri"]) == (
        4,
        "GET",
        "evil.example",
        "/dl/payload.exe?x=1",
    )
    assert req["user_agent"] == "curl/8"
    assert req["url"] == "http://evil.example/dl/payload.exe?x=1"
    (resp,) = facts.tables["http.responses"]
    assert (resp["status"], resp["request_frame"], resp["content_length"]) == (200, 4, len(BODY))
    (obj,) = facts.tables["http.objects"]
    assert obj["sha256"] == hashlib.sha256(BODY).hexdigest()
    assert (obj["size"], obj["filename"], obj["complete"]) == (len(BODY), "payload.exe", True)
    assert obj["frame"] == len(frames) - 3  # the segment completing the response


def test_keep_alive_pipelined_chunked_gzip(run: Analyze) -> None:
    frames = craft.tcp_session(
        [
            (True, _get("/a.txt") + _get("/b.bin")),
            (False, _chunked_gzip(b"hello " * 1000) + _ok(BODY)),
        ]
    )
    facts = run(frames, "http")
    assert [r["uri"] for r in facts.tables["http.requests"]] == ["/a.txt", "/b.bin"]
    objects = facts.tables["http.objects"]
    assert [o["sha256"] for o in objects] == [
        hashlib.sha256(b"hello " * 1000).hexdigest(),
        hashlib.sha256(BODY).hexdigest(),
    ]


def test_out_of_order_and_retransmitted_segments(run: Analyze) -> None:
    frames = craft.tcp_session([(True, _get("/x")), (False, _ok(BODY))], mss=1000)
    data = frames[4:9]  # server segments
    shuffled = [*frames[:4], data[1], data[0], data[0], *data[2:], *frames[9:]]
    (obj,) = run(shuffled, "http").tables["http.objects"]
    assert obj["sha256"] == hashlib.sha256(BODY).hexdigest()


def test_missing_segment_marks_object_incomplete_and_warns(run: Analyze) -> None:
    frames = craft.tcp_session([(True, _get("/x")), (False, _ok(BODY))], mss=1000)
    facts = run(frames[:5] + frames[6:], "http")
    (obj,) = facts.tables["http.objects"]
    assert obj["complete"] is False
    assert any("gap" in w for w in facts.warnings)


def test_http_on_odd_port_is_found_by_sniffing(run: Analyze) -> None:
    frames = craft.tcp_session([(True, _get("/c2")), (False, _ok(b"cmd"))], sport=4444)
    assert [r["uri"] for r in run(frames, "http").tables["http.requests"]] == ["/c2"]


def test_export_objects_writes_safe_unique_names(write_capture, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frames = craft.tcp_session(
        [(True, _get("/../../etc/passwd") + _get("/a/passwd")), (False, _ok(b"one") + _ok(b"two"))]
    )
    out = tmp_path / "objects"
    analyze(write_capture(frames), ["http"], options=RunOptions(export_dir=out))
    assert sorted(p.name for p in out.iterdir()) == ["passwd", "passwd(1)"]
    assert (out / "passwd").read_bytes() == b"one"


def test_object_names_cannot_escape_or_hide() -> None:
    assert object_name("/x/..%2F..%2Fevil.sh") == "evil.sh"
    assert object_name("/") == "index"
    assert object_name("/.bashrc") == "bashrc"
    assert object_name("http://h/a%00b.exe?q=1") == "a_b.exe"
