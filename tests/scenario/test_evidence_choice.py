"""Ambiguous evidence (issue 8.4): with several captures, validate requires the choice."""

from __future__ import annotations

import json
import shutil
from typing import Any

from helpers import PCAPS, sha256

QUERY = {"from": "arp.packets", "where": {"sender_ip": "172.16.0.1"}, "select": "frame",
         "pick": "all"}


def _scenario(build, answer: dict[str, Any], captures: int = 2):
    evidence = []
    for name in ["cs_arppoison.pcapng", "cs_dns_axfr.pcapng"][:captures]:
        copy = build.root / "scenarios" / name
        shutil.copy(PCAPS / name, copy)
        evidence.append({"file": name, "sha256": sha256(copy)})
    tasks = [{"id": "a", "question": "q", "answer": answer, "solution": "54,56"}]
    return build.scenario(tasks, evidence=evidence)


def _problems(cli, path) -> list[dict[str, Any]]:
    return [p for p in json.loads(cli("validate", str(path), "--json").stdout)["problems"]
            if p["severity"] == "error"]


def test_query_without_evidence_is_ambiguous_with_two_captures(cli, build):
    path = _scenario(build, {"type": "set", "expected": QUERY})
    (problem,) = _problems(cli, path)
    assert problem["field"] == "tasks[0].answer.expected"
    assert "a fact query without 'evidence:'" in problem["message"]
    assert "cs_arppoison.pcapng, cs_dns_axfr.pcapng" in problem["fix"]
    path = _scenario(build, {"type": "set",
                             "expected": {**QUERY, "evidence": "cs_arppoison.pcapng"}})
    assert _problems(cli, path) == []


def test_one_capture_needs_no_choice(cli, build):
    path = _scenario(build, {"type": "frames", "expected": QUERY}, captures=1)
    assert _problems(cli, path) == []


def test_frames_task_without_evidence_is_reported_by_validate(cli, build):
    query = {**QUERY, "evidence": "cs_arppoison.pcapng"}
    path = _scenario(build, {"type": "frames", "expected": query})
    (problem,) = _problems(cli, path)
    assert problem["field"] == "tasks[0].answer.evidence"
    assert "a 'frames' task without 'evidence:'" in problem["message"]
    path = _scenario(build, {"type": "frames", "expected": query,
                             "evidence": "cs_arppoison.pcapng"})
    assert _problems(cli, path) == []


def test_unknown_evidence_name_is_reported_by_validate(cli, build):
    path = _scenario(build, {"type": "frames", "evidence": "cs_arppoisn.pcapng",
                             "expected": {**QUERY, "evidence": "cs_arppoison.pcap"}})
    found = {p["field"]: p for p in _problems(cli, path)}
    assert found["tasks[0].answer.evidence"]["fix"] == "did you mean 'cs_arppoison.pcapng'?"
    assert "names evidence 'cs_arppoison.pcap'" in \
        found["tasks[0].answer.expected.evidence"]["message"]
