"""dflab agrees with Wireshark: each aspect compared with tshark's output on real captures.

The golden files in ``tests/golden`` are recorded by ``tools/record_golden.py``; these
tests need only the files, not tshark. Known, deliberate differences are listed in
``docs/facts.md`` ("Differences from Wireshark") and encoded here, each with its reason.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from runner.evidence.engine import FactSet, analyze

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.json"))


@cache
def _facts(name: str) -> FactSet:
    return analyze(ROOT / "pcaps" / name)


def _load(path: Path) -> tuple[dict[str, Any], FactSet]:
    golden = json.loads(path.read_text(encoding="utf-8"))
    return golden, _facts(golden["capture"])


def _ids(path: Path) -> str:
    return path.name.removesuffix(".json")


pytestmark = pytest.mark.parametrize("golden_file", GOLDEN, ids=_ids)


def test_golden_files_exist(golden_file: Path) -> None:
    golden = json.loads(golden_file.read_text(encoding="utf-8"))
    assert (ROOT / "pcaps" / golden["capture"]).is_file()


def test_packet_count(golden_file: Path) -> None:
    golden, facts = _load(golden_file)
    assert facts.packets == golden["packets"]
    assert facts.tables["summary.capture"][0]["packets"] == golden["packets"]


def test_conversations(golden_file: Path) -> None:
    golden, facts = _load(golden_file)
    ours = Counter(
        (kind, tuple(sorted([f"{r['src']} {r['src_port']}", f"{r['dst']} {r['dst_port']}"])),
         r["first_frame"], r["packets"], r["bytes"])
        for kind in ("tcp", "udp")
        for r in facts.tables[f"conversations.{kind}"]
    )  # fmt: skip
    theirs = Counter(
        (c["proto"], tuple(c["endpoints"]), c["first_frame"], c["frames"], c["bytes"])
        for c in golden["conversations"]
    )
    assert ours == theirs


def test_dns_query_names(golden_file: Path) -> None:
    golden, facts = _load(golden_file)
    # mDNS and LLMNR use the DNS wire format and dflab lists them (with protocol mdns/llmnr);
    # Wireshark's "dns" filter leaves them to its mdns/llmnr dissectors.
    ours = [(r["frame"], r["name"]) for r in facts.tables["dns.queries"] if r["protocol"] == "dns"]
    assert ours == [(q["frame"], q["name"]) for q in golden["dns_queries"]]


def test_http_requests(golden_file: Path) -> None:
    golden, facts = _load(golden_file)
    ours = [(r["frame"], r["method"], r["host"], r["uri"]) for r in facts.tables["http.requests"]]
    # SSDP (HTTP-like M-SEARCH/NOTIFY over UDP 1900) is HTTP to Wireshark; dflab's http
    # analyzer reads TCP streams only.
    theirs = [r for r in golden["http_requests"] if r["transport"] == "tcp"]
    assert ours == [(r["frame"], r["method"], r["host"], r["uri"]) for r in theirs]


def test_exported_object_hashes(golden_file: Path) -> None:
    golden, facts = _load(golden_file)
    ours = sorted((o["sha256"], o["size"]) for o in facts.tables["http.objects"])
    assert ours == sorted((o["sha256"], o["size"]) for o in golden["http_objects"])


def test_tls_server_names(golden_file: Path) -> None:
    golden, facts = _load(golden_file)
    ours = [(r["frame"], r["sni"]) for r in facts.tables["tls.client_hellos"]]
    assert ours == [(r["frame"], r["sni"]) for r in golden["tls_client_hellos"]]


def test_credentials(golden_file: Path) -> None:
    golden, facts = _load(golden_file)
    ours = {(r["frame"], r["username"]) for r in facts.tables["credentials.credentials"]}
    # Wireshark 4.0 lists an SMTP AUTH LOGIN user name still base64 encoded; dflab decodes it.
    theirs = {(c["frame"], _maybe_b64(c)) for c in golden["credentials"]}
    assert theirs <= ours


def _maybe_b64(row: dict[str, Any]) -> str:
    if row["protocol"] != "SMTP":
        return str(row["username"])
    try:
        return base64.b64decode(row["username"], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return str(row["username"])
