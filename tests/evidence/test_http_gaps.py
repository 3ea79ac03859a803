"""HTTP over streams with lost segments, unusual methods, and the credentials they carry.

Crafted conversations (runner.evidence.craft) checked against tshark on the same file.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from runner.evidence import craft
from runner.evidence.engine import analyze
from tests.evidence.conftest import WriteCapture
from tests.evidence.tshark import tshark_fields


def _get(uri: str) -> bytes:
    return f"GET {uri} HTTP/1.1\r\nHost: shop.example\r\n\r\n".encode()


def _ok(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def _frames_with_loss() -> tuple[list[bytes], int]:
    """Three exchanges on one connection; one segment of the first response body is lost."""
    bodies = [bytes([65 + i]) * 3000 for i in range(3)]
    messages = []
    for i, body in enumerate(bodies):
        messages += [(True, _get(f"/file{i}.txt")), (False, _ok(body))]
    frames = craft.tcp_session(messages, mss=1000)
    lost = 5  # handshake (3), request (1), first response segment (1): the second one goes
    return frames[:lost] + frames[lost + 1 :], lost + 1


@pytest.mark.parametrize("pipeline", [False, True])  # in this process, or the stream worker
def test_a_lost_segment_does_not_lose_the_rest_of_the_stream(
    write_capture: WriteCapture, pipeline: bool
) -> None:
    frames, lost_frame = _frames_with_loss()
    path = write_capture(frames)
    facts = analyze(path, ["http"], pipeline=pipeline)
    responses = facts.tables["http.responses"]
    reference = tshark_fields(path, "http.response", "frame.number", "http.response_for.uri")
    # tshark drops the response the loss cut short; dflab keeps it, marked incomplete.
    assert [r["frame"] for r in responses[1:]] == [int(f) for f, _ in reference]
    assert (responses[0]["uri"], responses[0]["frame"]) == ("/file0.txt", lost_frame - 1)
    assert [r["uri"] for r in responses][-2:] == ["/file1.txt", "/file2.txt"]
    requests = facts.tables["http.requests"]
    assert [r["frame"] for r in requests] == [
        int(f) for (f,) in tshark_fields(path, "http.request", "frame.number")
    ]
    objects = {o["uri"]: o for o in facts.tables["http.objects"]}
    assert objects["/file0.txt"]["complete"] is False
    assert objects["/file1.txt"]["size"] == 3000 and objects["/file1.txt"]["complete"]
    assert objects["/file2.txt"]["md5"] == hashlib.md5(b"C" * 3000).hexdigest()
    assert any("misses 1000 byte(s) in 1 gap(s); resynchronised" in w for w in facts.warnings)


def test_methods_outside_the_common_list_are_rows(write_capture: WriteCapture) -> None:
    post = (
        b"CCM_POST /ccmadmin/login HTTP/1.1\r\nHost: cucm.example\r\nContent-Length: 4\r\n\r\nabcd"
    )
    frames = craft.tcp_session([(True, post), (False, _ok(b"fine"))], sport=8443)
    path = write_capture(frames)
    reference = [["CCM_POST"]]  # tshark only on a port it dissects as HTTP
    assert tshark_fields(path, "http.request", "http.request.method") in ([], reference)
    facts = analyze(path, ["http"])
    (request,) = facts.tables["http.requests"]
    assert (request["method"], request["uri"], request["content_length"]) == (
        "CCM_POST", "/ccmadmin/login", 4
    )  # fmt: skip
    (response,) = facts.tables["http.responses"]
    assert (response["status"], response["request_frame"]) == (200, request["frame"])


def test_methods_outside_the_common_list_like_tshark(write_capture: WriteCapture) -> None:
    post = (
        b"CCM_POST /ccmadmin/login HTTP/1.1\r\nHost: cucm.example\r\nContent-Length: 4\r\n\r\nabcd"
    )
    frames = craft.tcp_session([(True, post), (False, _ok(b"fine"))], sport=80)
    path = write_capture(frames)
    facts = analyze(path, ["http"])
    assert [[r["method"]] for r in facts.tables["http.requests"]] == tshark_fields(
        path, "http.request", "http.request.method"
    )
    assert [r["frame"] for r in facts.tables["http.responses"]] == [
        int(f) for (f,) in tshark_fields(path, "http.response", "frame.number")
    ]


def _login(body: bytes, ctype: str, extra: str = "") -> bytes:
    head = (
        f"POST /login HTTP/1.1\r\nHost: app.example\r\nContent-Type: {ctype}\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def test_credentials_uname_bearer_and_json(write_capture: WriteCapture) -> None:
    form = _login(b"uname=alice&pass=s3cret&login=Login", "application/x-www-form-urlencoded")
    doc = json.dumps({"login_id": "bob", "password": "hunter2"}).encode()
    as_json = _login(doc, "application/json")
    bearer = (
        b"GET /api/me HTTP/1.1\r\nHost: app.example\r\nAuthorization: Bearer eyJhbGciOi.x.y\r\n\r\n"
    )
    messages = [(True, m) for m in (form, as_json, bearer)]
    path = write_capture(craft.tcp_session(messages))
    rows = analyze(path, ["credentials"]).tables["credentials.credentials"]
    found = [(r["method"], r["username"], r["password"]) for r in rows]
    assert found == [
        ("form", "alice", "s3cret"),
        ("json", "bob", "hunter2"),
        ("Bearer", "", "eyJhbGciOi.x.y"),
    ]
    assert tshark_fields(path, "urlencoded-form", "urlencoded-form.value") == [["alice"]]
    assert tshark_fields(path, "http.authorization", "http.authorization") == [
        ["Bearer eyJhbGciOi.x.y"]
    ]
    assert ["bob"] in tshark_fields(path, "json", "json.value.string")


def test_a_whole_lost_response_leaves_the_others_paired(write_capture: WriteCapture) -> None:
    messages = []
    for i in range(3):
        messages += [(True, _get(f"/page{i}")), (False, _ok(f"page {i}".encode()))]
    frames = craft.tcp_session(messages)
    del frames[6]  # handshake (3), request 0, response 0, request 1, response 1: lost
    path = write_capture(frames)
    responses = analyze(path, ["http"]).tables["http.responses"]
    reference = tshark_fields(path, "http.response", "frame.number", "http.response_for.uri")
    assert [(r["frame"], r["url"]) for r in responses] == [(int(f), u) for f, u in reference]
    assert [r["uri"] for r in responses] == ["/page0", "/page2"]
