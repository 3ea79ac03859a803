"""Fact queries: validation without a capture, resolution, picks, cache and provenance."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from evidence.conftest import WriteCapture
from runner import __version__
from runner.errors import InputError
from runner.evidence import craft
from runner.evidence.query import check_query, resolve_query


def _get(uri: str) -> bytes:
    return f"GET {uri} HTTP/1.1\r\nHost: dl.example\r\n\r\n".encode()


def _ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


@pytest.fixture
def capture(write_capture: WriteCapture) -> Path:
    frames = craft.tcp_session([(True, _get("/a.exe")), (False, _ok(b"EXE1"))], client="10.0.0.5")
    frames += craft.tcp_session(
        [(True, _get("/b.png")), (False, _ok(b"PNG"))], client="10.0.0.6", cport=40001
    )
    frames += craft.tcp_session(
        [(True, _get("/c.exe")), (False, _ok(b"EXE2" * 100))], client="10.0.0.5", cport=40002
    )
    return write_capture(frames)


def _values(spec: dict[str, Any], capture: Path, tmp_path: Path) -> tuple[Any, ...]:
    return resolve_query(spec, capture, cache_dir=tmp_path / "cache").values


def test_regex_where_selects_sha256(capture: Path, tmp_path: Path) -> None:
    spec = {"from": "http.objects", "where": {"uri": r"~\.exe$"}, "select": "sha256", "pick": "all"}
    assert _values(spec, capture, tmp_path) == (
        hashlib.sha256(b"EXE1").hexdigest(),
        hashlib.sha256(b"EXE2" * 100).hexdigest(),
    )


@pytest.mark.parametrize(
    ("where", "select", "pick", "expected"),
    [
        ({"uri": {"regex": r"\.exe$"}}, "client", "unique", ("10.0.0.5",)),
        ({"size": {"gt": 3, "le": 400}}, "uri", "all", ("/a.exe", "/c.exe")),
        ({"size": {"ge": 400}}, "uri", "first", ("/c.exe",)),
        ({"client": "10.0.0.6"}, "size", "all", (3,)),
        ({"client": {"ne": "10.0.0.6"}}, "uri", "count", (2,)),
        ({"uri": {"in": ["/b.png", "/zzz"]}}, "client", "unique", ("10.0.0.6",)),
        ({"uri": {"contains": ".ex"}}, "uri", "unique", ("/a.exe", "/c.exe")),
        ({"complete": True, "server_port": "80"}, "uri", "count", (3,)),
        ({"uri": "/nothing"}, "uri", "all", ()),
    ],
)
def test_where_forms_and_picks(
    capture: Path,
    tmp_path: Path,
    where: dict[str, Any],
    select: str,
    pick: str,
    expected: tuple[Any, ...],
) -> None:
    spec = {"from": "http.objects", "where": where, "select": select, "pick": pick}
    assert check_query(spec) == []
    assert _values(spec, capture, tmp_path) == expected


def test_provenance_and_cache_by_content_hash(capture: Path, tmp_path: Path) -> None:
    spec = {"from": "http.requests", "select": "uri"}
    first = resolve_query(spec, capture, cache_dir=tmp_path / "cache")
    sha = hashlib.sha256(capture.read_bytes()).hexdigest()
    assert first.provenance["evidence_sha256"] == sha
    assert first.provenance["dflab_version"] == __version__
    assert (first.provenance["analyzer"], first.provenance["table"]) == ("http", "http.requests")
    assert first.provenance["query"] == spec
    entry = tmp_path / "cache" / "facts" / f"{sha}.json"
    cached = json.loads(entry.read_text())
    requests = cached["facts"]["tables"]["http.requests"]
    requests["rows"][0][requests["fields"].index("uri")] = "/from-cache"
    entry.write_text(json.dumps(cached))
    copy = tmp_path / "renamed.pcap"
    copy.write_bytes(capture.read_bytes())  # same content, other name: same cache entry
    assert resolve_query(spec, copy, cache_dir=tmp_path / "cache").values[0] == "/from-cache"


def test_damaged_cache_entry_is_recomputed(capture: Path, tmp_path: Path) -> None:
    spec = {"from": "http.requests", "select": "uri", "pick": "first"}
    sha = hashlib.sha256(capture.read_bytes()).hexdigest()
    entry = tmp_path / "cache" / "facts" / f"{sha}.json"
    entry.parent.mkdir(parents=True)
    entry.write_text("{not json")
    assert _values(spec, capture, tmp_path) == ("/a.exe",)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"from": "http.nope", "select": "uri"}, "unknown table"),
        ({"from": "http.objects", "select": "colour"}, "has no field 'colour'"),
        ({"from": "http.objects", "select": "uri", "where": {"bogus": 1}}, "has no field 'bogus'"),
        ({"from": "http.objects", "select": "uri", "pick": "some"}, "unknown pick"),
        (
            {"from": "http.objects", "select": "uri", "where": {"size": {"about": 3}}},
            "unknown operator",
        ),
        (
            {"from": "http.objects", "select": "uri", "where": {"size": {"gt": "big"}}},
            "needs a number",
        ),
        (
            {"from": "http.objects", "select": "uri", "where": {"uri": "~(unclosed"}},
            "bad regular expression",
        ),
        (
            {"from": "http.objects", "select": "uri", "where": {"uri": r"\.exe$"}},
            "looks like a regular expression",
        ),
        ({"from": "http.objects", "select": "uri", "sorted": "x"}, "unknown key 'sorted'"),
        ({"from": "http.objects"}, "'select' is missing"),
    ],
)
def test_check_query_problems(spec: dict[str, Any], words: str) -> None:
    problems = check_query(spec)
    assert any(words in p for p in problems), problems


def test_resolving_an_invalid_query_raises_input_error(capture: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown table"):
        resolve_query({"from": "nope.nope", "select": "x"}, capture, cache_dir=tmp_path)
