"""``dflab facts``: tables, JSON, object export, queries, and errors as one line."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from evidence.conftest import WriteCapture
from runner.cli import facts
from runner.cli.context import Ctx
from runner.errors import DflabError, EvidenceError
from runner.evidence import craft


def _run(*argv: str, home: Path) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    facts.register(parser.add_subparsers())
    args = parser.parse_args(["facts", *argv])
    out, err = io.StringIO(), io.StringIO()
    ctx = Ctx(stdout=out, stderr=err, env={"NO_COLOR": "1"}, width=200, home_override=str(home))
    return args.func(args, ctx), out.getvalue(), err.getvalue()


@pytest.fixture
def capture(write_capture: WriteCapture) -> Path:
    get = b"GET /files/report.pdf HTTP/1.1\r\nHost: x.example\r\n\r\n"
    return write_capture(
        craft.tcp_session(
            [(True, get), (False, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nPDF")]
        )
    )


def test_rich_tables(capture: Path, tmp_path: Path) -> None:
    code, out, _ = _run(str(capture), "--only", "http,summary", home=tmp_path)
    assert code == 0
    assert "http.requests (1 rows)" in out
    assert "/files/report.pdf" in out
    assert "summary.capture" in out
    assert "dns." not in out


def test_json_output(capture: Path, tmp_path: Path) -> None:
    code, out, _ = _run(str(capture), "--json", home=tmp_path)
    data = json.loads(out)
    assert code == 0
    assert data["packets"] == 8
    assert data["tables"]["http.objects"][0]["filename"] == "report.pdf"


def test_export_objects(capture: Path, tmp_path: Path) -> None:
    code, _, err = _run(str(capture), "--export-objects", str(tmp_path / "out"), home=tmp_path)
    assert code == 0
    assert (tmp_path / "out" / "report.pdf").read_bytes() == b"PDF"
    assert "exported 1 HTTP objects" in err


def test_query_option(capture: Path, tmp_path: Path) -> None:
    code, out, _ = _run(
        str(capture), "--query", "{from: http.requests, select: host}", "--json", home=tmp_path
    )
    assert code == 0
    assert json.loads(out)["values"] == ["x.example"]


def test_tables_catalogue(tmp_path: Path) -> None:
    code, out, _ = _run("--tables", "--json", home=tmp_path)
    assert code == 0
    assert "sha256" in {f["name"] for f in json.loads(out)["http.objects"]}


def test_bad_capture_and_unknown_analyzer_are_dflab_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a capture at all")
    with pytest.raises(EvidenceError, match="not a pcap or pcapng file") as info:
        _run(str(junk), home=tmp_path)
    assert info.value.where == str(junk)
    with pytest.raises(DflabError, match="unknown analyzer"):
        _run(str(junk), "--only", "nope", home=tmp_path)


def test_the_facts_cache_lives_in_the_home_given_and_nowhere_else(
        capture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from runner.evidence.cache import load_facts

    env_home = tmp_path / "env-home"
    monkeypatch.setenv("DFLAB_HOME", str(env_home))
    chosen = tmp_path / "chosen"
    code, _, _ = _run(str(capture), "--query", "{from: http.requests, select: host}",
                      "--json", home=chosen)
    assert code == 0
    assert len(list((chosen / "cache" / "facts").glob("*.json"))) == 1
    load_facts(capture)  # no cache folder given: computed, never written to DFLAB_HOME
    assert not env_home.exists()
