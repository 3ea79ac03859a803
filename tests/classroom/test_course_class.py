"""A class made from a course: first scenario, 'class next', the gradebook shows both."""

from __future__ import annotations

import json
from pathlib import Path

from runner.classroom.store import ClassStore
from runner.session.labclient import request
from runner.session.runtime import existing_session


def _answer(home: Path, scenario: str, task: str, value: str) -> None:
    from runner.classroom.service import serve_seat

    with ClassStore.open(home) as classes:
        (lab,) = [lab for lab in classes.labs("week", "alice") if lab.scenario_id == scenario]
    running = existing_session(home, lab.session_id)
    thread = serve_seat(running, "week", "alice")
    try:
        request({"op": "answer", "task": task, "value": value},
                str(running.spec.service_dir / "lab.sock"))
    finally:
        thread.close()
        running.store.close()


def test_course_class_runs_from_first_to_second_scenario(cli, home, roster, tmp_path):
    course = tmp_path / "two-days.yaml"
    course.write_text("schema_version: 1\nid: two-days\ntitle: Two days\ndays:\n"
                      "  - title: One\n    scenarios:\n      - scenario: traceroute-path\n"
                      "  - title: Two\n    scenarios:\n      - scenario: later\n"
                      "        planned: true\n      - scenario: port-scan-triage\n",
                      encoding="utf-8")
    made = cli("class", "create", "week", "--course", str(course), "--roster",
               str(roster([["alice", "Alice", "Adams", "a@example.org"]])),
               "--credentials-out", str(tmp_path / "creds.csv"))
    assert made.code == 0, made.stderr
    assert cli("class", "start", "week", "--backend", "local").code == 0
    listed = json.loads(cli("class", "list", "--json").stdout)["classes"][0]
    assert listed["scenarios"] == ["traceroute-path", "port-scan-triage"]
    assert listed["current"] == "traceroute-path"
    _answer(home, "traceroute-path", "destination", "4.2.2.1")
    moved = json.loads(cli("class", "next", "week", "--json").stdout)
    assert moved == {"class": "week", "previous": "traceroute-path",
                     "current": "port-scan-triage"}
    _answer(home, "port-scan-triage", "scanner", "172.16.0.9")
    status = json.loads(cli("class", "status", "week", "--json").stdout)
    assert (status["course"], status["current"]) == ("two-days", "port-scan-triage")
    (seat,) = status["seats"]
    assert set(seat["by_scenario"]) == {"traceroute-path", "port-scan-triage"}
    assert seat["by_scenario"]["traceroute-path"]["solved"] == 1
    assert seat["by_scenario"]["port-scan-triage"]["solved"] == 0
    board = cli("class", "board", "week", "--once").stdout
    assert "course two-days, now port-scan-triage (2/2)" in board
    assert "#1 traceroute-path, #2 port-scan-triage (* now)" in board
    assert "#2*" in board
    last = cli("class", "next", "week")
    assert last.code != 0 and "already on its last scenario" in last.stderr
    cli("class", "export", "week", "--format", "json", "--output", str(tmp_path))
    book = json.loads((tmp_path / "week-gradebook.json").read_text())
    verdicts = {(r["scenario"], r["task"]): r["verdict"] for r in book["tasks"]}
    assert verdicts[("traceroute-path", "destination")] == "correct"
    assert verdicts[("port-scan-triage", "scanner")] == "wrong"
    assert {s for s, _ in verdicts} == {"traceroute-path", "port-scan-triage"}
