"""The lab socket under attack: floods, hostile bytes and hang-ups (issue 10, items 1 and 8)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.scenario.loader import load_scenario
from runner.session import server as server_mod
from runner.session.keys import key_to_json, resolve_keys
from runner.session.server import LogLimiter, ServiceThread, parse_request
from runner.session.service import SessionService
from runner.session.store import Store

RESET_ON_CLOSE = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # SO_LINGER on, 0 s


def make_service(build, db: Path, name: str) -> SessionService:
    loaded = load_scenario(build.scenario())
    store = Store(db)
    sid = store.create_session(scenario_id=loaded.id, scenario_path=str(loaded.path),
                               scenario_sha256=loaded.sha256, title=name, lang="en",
                               trainee=name, backend="local")
    store.save_keys(sid, {t: (key_to_json(k), p) for t, (k, p) in resolve_keys(loaded).items()})
    return SessionService(store, sid, loaded, None, rate_per_minute=100_000)


@pytest.fixture
def two_seats(build, tmp_path: Path) -> Iterator[tuple[ServiceThread, ServiceThread, list[str]]]:
    logged: list[str] = []
    threads = []
    for name in ("a", "b"):
        service = make_service(build, tmp_path / f"{name}.db", name)
        threads.append(ServiceThread(service, tmp_path / name / "lab.sock",
                                     log=logged.append, read_timeout=2.0))
    yield threads[0], threads[1], logged
    for thread in threads:
        thread.close()
        thread.service.store.close()


def ask(path: Path, payload: bytes, timeout: float = 30) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return json.loads(data)


def request(op: str, **fields: object) -> bytes:
    return (json.dumps({"v": 1, "op": op, **fields}) + "\n").encode()


def hold_connections(path: Path, count: int, seconds: float) -> list[socket.socket]:
    """Open up to ``count`` idle connections within ``seconds`` (the attack)."""
    held: list[socket.socket] = []
    deadline = time.monotonic() + seconds
    while len(held) < count and time.monotonic() < deadline:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect(str(path))
        except (BlockingIOError, ConnectionRefusedError):  # backlog full: the server is behind
            sock.close()
            time.sleep(0.001)
            continue
        held.append(sock)
    return held


def eventually_ok(path: Path, payload: bytes, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ask(path, payload)["ok"]:
                return True
        except OSError:  # refused as busy before we finished sending
            pass
        time.sleep(0.1)
    return False


def test_a_flooding_seat_cannot_starve_another_seat_or_grow_threads(two_seats):
    flooder, other, logged = two_seats
    before = threading.active_count()
    held = hold_connections(flooder.path, 3000, seconds=20)
    try:
        assert len(held) >= 1000  # the attack really happened
        assert flooder.open_connections <= server_mod.MAX_SEAT_CONNECTIONS
        assert flooder.waiting <= server_mod.MAX_SEAT_WAITING
        replies = [ask(other.path, request("answer", task="word", value=f"nope{i}"))
                   for i in range(3)]
        replies.append(ask(other.path, request("score")))
        assert all(r["ok"] for r in replies), replies
        # one loop thread and a fixed pool per seat: the flood adds no threads
        assert threading.active_count() <= before + 2 * server_mod.WORKERS
        assert flooder.refused > 0
    finally:
        for sock in held:
            sock.close()
    # once the flood is gone (its backlog drained) the flooding seat is served again
    assert eventually_ok(flooder.path, request("score"))
    assert not any("Traceback" in line for line in logged)


def test_an_idle_connection_is_dropped_after_the_read_timeout(two_seats):
    flooder, _, _ = two_seats
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(flooder.path))
        reply = json.loads(sock.recv(65536))  # sent nothing: the server gives up, not us
    assert not reply["ok"] and "no complete request" in reply["error"]


@pytest.mark.parametrize("payload,words", [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"v": 1, "op": "answer", "task": "word", "value": "\\ud800"}', "not UTF-8 JSON"),
    (b"\xff\xfe not utf-8", "not UTF-8 JSON"),
    (b"x" * (server_mod.MAX_REQUEST_BYTES + 10), "too large"),
])
def test_hostile_requests_are_bad_requests_not_tracebacks(two_seats, payload, words, capfd):
    flooder, _, logged = two_seats
    reply = ask(flooder.path, payload)
    assert not reply["ok"] and reply["code"] == 3 and words in reply["error"]
    assert ask(flooder.path, request("score"))["ok"]  # the service lives on
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Traceback" not in "".join(logged)
    assert flooder.service.store.attempts(flooder.service.session_id) == []


def test_clients_that_hang_up_early_leave_no_traceback(two_seats, capfd):
    flooder, _, logged = two_seats
    for _ in range(200):
        # Under load the server may already have answered "busy" and closed: the client's
        # own broken pipe is not what this test is about (the server's output is).
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock, \
                contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.connect(str(flooder.path))
            sock.sendall(request("tasks"))
            # close without reading: the reply meets a broken pipe / reset
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
    assert eventually_ok(flooder.path, request("score"))
    assert "Traceback" not in capfd.readouterr().err
    assert len(logged) <= server_mod.LOG_PER_MINUTE


def test_a_service_bug_is_one_limited_log_line_per_request(two_seats, monkeypatch):
    flooder, _, logged = two_seats

    def boom(_request: object) -> dict:
        raise KeyError("/home/trainer/secret/path")

    monkeypatch.setattr(flooder.service, "handle", boom)
    for _ in range(50):
        reply = ask(flooder.path, request("score"))
        assert not reply["ok"] and reply["code"] == 70 and "/home" not in reply["error"]
    assert len(logged) == server_mod.LOG_PER_MINUTE


def test_log_limiter_sums_up_what_it_dropped():
    lines: list[str] = []
    now = [0.0]
    limit = LogLimiter(lines.append, "seat x", per_minute=3, clock=lambda: now[0])
    for i in range(100):
        limit(f"line {i}")
    now[0] = 61.0
    limit("again")
    assert lines == ["seat x: line 0", "seat x: line 1", "seat x: line 2",
                     "seat x: 97 more message(s) suppressed", "seat x: again"]


def test_parse_request_never_raises_on_deep_or_odd_json():
    for raw in (b"{" * 5000, b'"\\udfff"', b"[" * 10**5, b"", b"\x00"):
        _, refusal = parse_request(raw)
        assert refusal is not None and refusal["code"] == 3


def test_the_whole_server_has_a_connection_cap_too(two_seats, monkeypatch):
    flooder, other, _ = two_seats
    monkeypatch.setattr(server_mod.SERVER_SLOTS, "limit", 4)
    monkeypatch.setattr(server_mod, "QUEUE_WAIT", 0.2)
    held = hold_connections(flooder.path, 40, seconds=5)
    try:
        deadline = time.monotonic() + 5
        while server_mod.SERVER_SLOTS.used < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server_mod.SERVER_SLOTS.used == 4  # every slot taken by idle connections
        reply = ask(other.path, request("score"))
        assert not reply["ok"] and "busy" in reply["error"]
    finally:
        for sock in held:
            sock.close()
    assert eventually_ok(other.path, request("score"))
    assert server_mod.SERVER_SLOTS.used == 0
