"""Record and sequence answers and the new query forms, through the real loader,
key resolution and grading on a shipped capture; load-time errors with file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from runner.scenario.loader import load_scenario, validate_scenario
from runner.scenario.seal import seal_text
from runner.session.grading import grade, total
from runner.session.keys import resolve_keys
from tests.helpers import PCAPS, ScenarioBuilder, sha256

FTP = "cs_ftp_tickedoffdeveloper.pcapng"
TRACE = "cs_icmp_traceroute.pcapng"


def _scenario(build: ScenarioBuilder, tasks: list[dict], capture: str = FTP) -> Path:
    evidence = build.root / "scenarios" / capture
    shutil.copyfile(PCAPS / capture, evidence)
    return build.write({
        "schema_version": 1, "id": "new-forms", "title": "New answer forms", "lab": "network",
        "evidence": [{"file": capture, "sha256": sha256(evidence)}], "tasks": tasks,
    })


def _errors(path: Path) -> list[str]:
    _, problems = validate_scenario(path)
    return [p.one_line() for p in problems if p.severity == "error"]


CREDS = {"type": "record", "parts": {"user": {"type": "text"},
                                     "password": {"type": "text", "case_sensitive": True}}}


def test_record_computed_from_the_credentials_table_grades_per_part(build, tmp_path):
    path = _scenario(build, [
        {"id": "login", "question": "user:password?", "solution": "salesxfer:p@ssw0rd",
         "answer": {**CREDS, "expected": {"from": "credentials.credentials",
                                          "select": ["username", "password"], "pick": "first"}}},
        {"id": "where", "question": "client and server?", "solution": "172.16.16.128 -> "
         "172.16.16.121", "answer": {
             "type": "record", "parts": {"client": {"type": "ip"}, "server": {"type": "ip"}},
             "expected": {"from": "ftp.transfers", "where": {"command": "STOR"},
                          "select": {"client": "client", "server": "server"}}}},
    ])
    loaded = load_scenario(path)
    sheet = {"login": "SALESXFER:P@ssw0rd", "where": {"client": "172.16.16.128",
                                                     "server": "172.16.16.121"}}
    results = {r.task: r for r in grade(loaded, sheet, path.parent, tmp_path)}
    assert results["login"].verdict.score == 0.5
    assert results["where"].verdict.score == 1.0
    assert total(grade(loaded, {"login": "salesxfer:p@ssw0rd", "where": "172.16.16.128:x"},
                       path.parent, tmp_path))["score"] == 10


def test_sequence_of_routers_from_a_sorted_query(build, tmp_path):
    path = _scenario(build, [{
        "id": "path", "question": "first three routers, in order", "solution":
        "192.168.100.1 -> 12.180.241.1 -> 12.153.21.202",
        "answer": {"type": "sequence", "of": "ip", "expected": {
            "from": "icmp.messages", "where": {"type_name": "time-exceeded"},
            "sort": "frame", "select": "src", "take": 3}}}], TRACE)
    loaded = load_scenario(path)
    swapped = "12.180.241.1, 192.168.100.1, 12.153.21.202"
    [result] = grade(loaded, {"path": swapped}, path.parent, tmp_path)
    assert result.verdict.score == 2 / 3


def test_answer_of_reuses_and_compares_with_another_tasks_key(build, tmp_path):
    path = _scenario(build, [
        {"id": "client", "question": "client?", "solution": "172.16.16.128",
         "answer": {"type": "ip", "expected": {"from": "ftp.commands", "select": "client",
                                               "pick": "first"}}},
        {"id": "same", "question": "again?", "solution": "172.16.16.128",
         "answer": {"type": "ip", "expected": {"answer_of": "client", "also": ["::1"]}}},
        {"id": "ports", "question": "ports the client reached", "solution": "21, 49166",
         "answer": {"type": "set", "of": "integer", "expected": {
             "from": "conversations.tcp", "where": {"src": {"answer_of": "client"}},
             "select": "dst_port"}}},
    ])
    loaded = load_scenario(path)
    keys = resolve_keys(loaded, tmp_path)
    assert keys["same"][0].values == ("172.16.16.128", "::1")
    assert set(keys["ports"][0].values) == {21, 49166}  # the LIST data connections are not in it
    assert keys["ports"][1]["query"]["where"] == {"src": {"in": ["172.16.16.128"]}}
    results = grade(loaded, {"same": "::1"}, path.parent, tmp_path)
    assert [r.verdict.status.value for r in results if r.task == "same"] == ["correct"]


def test_load_errors_name_the_line_and_the_part(build):
    path = build.write("""\
        schema_version: 1
        id: bad-record
        title: t
        tasks:
          - id: a
            question: q
            answer:
              type: record
              parts:
                user: {type: txt}
                port: {type: integer, base: 16}
              expected: {user: x, port: 1}
          - id: b
            question: q
            answer:
              type: record
              parts: {host: {type: ip}, port: {type: integer}}
              expected: {host: 10.0.0.1}
          - id: c
            question: q
            answer:
              type: record
              parts: {host: {type: ip}, port: {type: integer}}
              expected: {from: conversations.tcp, select: dst}
          - id: d
            question: q
            answer: {type: ip, expected: {answer_of: e}}
          - id: e
            question: q
            answer: {type: ip, expected: {answer_of: d}}
          - id: f
            question: q
            answer: {type: ip, expected: {answer_of: nobody}}
          - id: g
            question: q
            answer:
              type: ip
              expected: {from: conversations.tcp, where: {src: {answer_of: b}}, select: dst}
        """)
    found = _errors(path)
    text = "\n".join(found)
    assert ":10: tasks[0].answer.parts.user.type: " in text and "unknown part type 'txt'" in text
    assert ":11: tasks[0].answer.parts.port: 'base' is not a parameter of an integer part" in text
    assert ":18: tasks[1].answer.expected: " in text and "part 'port' has no expected value" in text
    assert ":24: tasks[2].answer.expected.select: 'select' must give one field per part" in text
    assert "answer_of references form a cycle: d -> e -> d" in text
    assert "answer_of names unknown task 'nobody'" in text
    assert "task 'b' is a record: a field cannot equal a whole record" in text


def test_query_shape_errors_are_reported_at_load(build):
    path = _scenario(build, [
        {"id": "a", "question": "q", "answer": {"type": "ip", "expected": {
            "from": "ftp.commands", "select": ["client", "server"]}}},
        {"id": "b", "question": "q", "answer": {"type": "text", "expected": {
            "from": "ftp.commands", "select": "argument", "sort": "nope", "take": 0,
            "extract": "(a)(b)"}}},
        {"id": "c", "question": "q", "answer": {"type": "integer", "expected": {
            "from": "ftp.commands", "select": "reply_code", "pick": "median"}}},
    ])
    text = "\n".join(_errors(path))
    assert "'select' names one field" in text
    assert "has no field 'nope'" in text
    assert "'take' needs a whole number of at least 1" in text
    assert "several groups" in text
    assert "unknown pick 'median'" in text


def test_a_literal_record_seals_part_by_part_and_grades_the_same(build, tmp_path):
    path = _scenario(build, [
        {"id": "login", "question": "user:password?", "solution": "salesxfer:p@ssw0rd",
         "answer": {**CREDS, "expected": {"user": "salesxfer", "password": "p@ssw0rd"}}},
        {"id": "order", "question": "commands", "solution": "USER, PASS",
         "answer": {"type": "sequence", "expected": ["USER", "PASS"]}},
    ])
    loaded = load_scenario(path)
    report = seal_text(loaded, keep_solutions=True)
    assert set(report.sealed) == {"login", "order"}
    assert "p@ssw0rd\"" not in report.text.split("tasks:")[1].split("solution")[0]
    sealed_path = path.with_name("sealed.yaml")
    sealed_path.write_text(report.text)
    sealed = load_scenario(sealed_path)
    expected = yaml.safe_load(report.text)["tasks"][0]["answer"]["expected"]
    assert set(expected) == {"user", "password"}
    for sheet in ({"login": "salesxfer:p@ssw0rd", "order": "USER -> PASS"},
                  {"login": "Salesxfer:nope", "order": "PASS, USER"}):
        plain = [r.verdict.score for r in grade(loaded, sheet, path.parent, tmp_path)]
        hashed = [r.verdict.score for r in grade(sealed, sheet, path.parent, tmp_path)]
        assert plain == hashed


def test_a_record_part_may_be_named_from(build, tmp_path):
    path = _scenario(build, [
        {"id": "mail", "question": "sender and recipient?", "solution": "from=a@x.org, to=b@y.org",
         "answer": {"type": "record", "parts": {"from": {"type": "text"}, "to": {"type": "text"}},
                    "expected": {"from": "a@x.org", "to": "b@y.org"}}}])
    loaded = load_scenario(path)
    assert loaded.answers["mail"].literal is not None
    [result] = grade(loaded, {"mail": "a@x.org -> b@y.org"}, path.parent, tmp_path)
    assert result.verdict.score == 1.0
