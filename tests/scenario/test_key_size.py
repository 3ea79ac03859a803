"""dflab validate reports keys larger than any answer may be (issue 8.1)."""

from __future__ import annotations

import json


def _problems(cli, path) -> list[dict]:
    return json.loads(cli("validate", str(path), "--json").stdout)["problems"]


def test_a_set_larger_than_the_member_cap_is_an_error(cli, build):
    members = [f"10.0.{i // 250}.{i % 250 + 1}" for i in range(1001)]
    path = build.scenario(tasks=[{"id": "hosts", "question": "q", "solution": "10.0.0.1",
                                  "answer": {"type": "set", "of": "ip", "expected": members}}])
    problems = _problems(cli, path)
    assert any(p["severity"] == "error" and "1001 members" in p["message"]
               and p["field"] == "tasks[0].answer.expected" for p in problems), problems
    assert cli("validate", str(path)).code == 3


def test_frames_too_scattered_to_type_warn_to_submit_a_file(cli, build):
    scattered = [str(n) for n in range(1, 120_000, 2)]  # no two adjacent: no ranges
    path = build.scenario(tasks=[{"id": "odd", "question": "q", "solution": "1",
                                  "answer": {"type": "frames", "expected": scattered}}])
    problems = _problems(cli, path)
    found = [p for p in problems if p["field"] == "tasks[0].answer.expected"]
    assert found and found[0]["severity"] == "warning"
    assert "more than 'lab answer' accepts" in found[0]["message"]
    assert "frame ranges" in found[0]["fix"]


def test_a_small_key_is_not_reported(cli, build):
    path = build.scenario(tasks=[{"id": "few", "question": "q", "solution": "1-3",
                                  "answer": {"type": "frames", "expected": ["1-3"]}}])
    assert not [p for p in _problems(cli, path) if "accepts" in p["message"]]
