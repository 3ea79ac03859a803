"""A prerequisite that can no longer be solved unlocks its dependents, with its explanation;
trainers grant more attempts without wiping answers; validate warns on costly chains
(issue 8.5). Also: 'lab hint' on a task without hints says so (issue 8.7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import NotFoundError, UsageError
from runner.scenario.loader import load_scenario
from runner.session.keys import key_to_json, resolve_keys
from runner.session.scoring import session_scores
from runner.session.service import SessionService
from runner.session.store import Store

ROOT = Path(__file__).resolve().parents[2]
TASKS = [
    {"id": "kind", "question": "Which kind?", "points": 10, "max_attempts": 1,
     "answer": {"type": "choice", "options": ["syn", "connect"], "expected": "syn"},
     "explanation": "Only SYN flags were sent.", "solution": "syn"},
    {"id": "ports", "question": "Which ports?", "points": 20, "requires": ["kind"],
     "answer": {"type": "set", "of": "integer", "expected": [22, 80]}, "solution": "22, 80"},
]


def _session(build, tmp_path: Path, home: Path | None = None) -> SessionService:
    loaded = load_scenario(build.scenario(tasks=TASKS))
    store = Store((home or tmp_path) / "sessions.db")
    session_id = store.create_session(scenario_id=loaded.id, scenario_path=str(loaded.path),
                                      scenario_sha256=loaded.sha256, title="t", lang="en",
                                      trainee="t", backend="local")
    store.save_keys(session_id, {t: (key_to_json(k), p)
                                 for t, (k, p) in resolve_keys(loaded).items()})
    return SessionService(store, session_id, loaded, None)


def ask(service: SessionService, **request: object) -> dict:
    return service.handle({"v": 1, **request})


def test_an_exhausted_prerequisite_unlocks_its_dependents_with_its_explanation(build, tmp_path):
    service = _session(build, tmp_path)
    assert not ask(service, op="answer", task="ports", value="22")["ok"]  # locked
    reply = ask(service, op="answer", task="kind", value="connect")["data"]
    assert reply["status"] == "wrong" and reply["attempts_left"] == 0
    assert "Explanation: Only SYN flags were sent." in reply["feedback"]
    assert reply["unlocked"] == ["ports"] and "Now open: ports." in reply["feedback"]
    shown = ask(service, op="show", task="kind")["data"]
    assert shown["explanation"] == "Only SYN flags were sent."
    # The lab client prints the explanation (translated label) after the question.
    assert "Only SYN flags were sent." not in shown["question"]
    assert ask(service, op="answer", task="ports", value="22, 80")["data"]["status"] == "correct"
    states = {s.id: s.state for s in session_scores(service.store, service.session_id,
                                                    service.loaded.model.tasks)}
    assert states == {"kind": "wrong", "ports": "correct"}


def test_a_grant_reopens_the_task_keeps_answers_and_is_an_event(build, tmp_path):
    service = _session(build, tmp_path)
    ask(service, op="answer", task="kind", value="connect")
    ask(service, op="answer", task="ports", value="22")
    assert service.store.grant_attempts(service.session_id, "kind", 2) == 2
    reply = ask(service, op="answer", task="kind", value="syn")["data"]
    assert reply["status"] == "correct"
    assert [a.raw for a in service.store.attempts(service.session_id)] == [
        "connect", "22", "syn"]
    kind = ask(service, op="tasks")["data"]["tasks"][0]
    assert kind["max_attempts"] == 3 and kind["state"] == "correct"
    events = [e for e in service.store.events(service.session_id) if e["kind"] == "grant"]
    assert events == [{"at": events[0]["at"], "kind": "grant", "task": "kind", "attempts": 2,
                       "by": "trainer"}]
    # The dependent, already attempted, stays open while the grant re-opens its prerequisite.
    assert ask(service, op="answer", task="ports", value="22, 80")["data"]["status"] == "correct"


def test_grant_refuses_bad_input(build, tmp_path):
    service = _session(build, tmp_path)
    with pytest.raises(UsageError):
        service.store.grant_attempts(service.session_id, "kind", 0)
    with pytest.raises(NotFoundError, match="no task 'nosuch'"):
        service.store.grant_attempts(service.session_id, "nosuch", 1)


def test_dflab_grant_command(cli, build, home, tmp_path):
    service = _session(build, tmp_path, home)
    ask(service, op="answer", task="kind", value="connect")
    result = cli("grant", service.session_id, "kind", "--attempts", "1", "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["extra_attempts"] == 1
    assert ask(service, op="answer", task="kind", value="syn")["data"]["status"] == "correct"
    bad = cli("grant", service.session_id, "nosuch", "--attempts", "1")
    assert bad.code == 4 and "no task 'nosuch'" in bad.stderr


def test_dflab_class_grant_command(cli, build, home, tmp_path):
    from runner.classroom.roster import Trainee
    from runner.classroom.store import ClassStore

    service = _session(build, tmp_path, home)
    classes = ClassStore.open(home)
    classes.create("c1", {"mini-case": str(service.loaded.path)}, None, "en",
                   [(Trainee("ann", "t1", "Ann"), "hash", 1)])
    classes.set_lab("c1", "ann", "mini-case", session_id=service.session_id)
    classes.close()
    ask(service, op="answer", task="kind", value="connect")
    result = cli("class", "grant", "c1", "ann", "kind", "--attempts", "2")
    assert result.code == 0, result.stderr
    assert service.store.grants(service.session_id) == {"kind": 2}
    missing = cli("class", "grant", "c1", "bob", "kind", "--attempts", "2")
    assert missing.code == 4 and "bob" in missing.stderr


def test_lab_hint_on_a_task_without_hints_says_so(build, tmp_path):
    service = _session(build, tmp_path)
    reply = ask(service, op="hint", task="kind")
    assert not reply["ok"] and "has no hints" in reply["error"]
    assert "no more hints" not in reply["error"]


def test_validate_warns_on_the_shipped_port_scan_chain(cli):
    result = cli("validate", str(ROOT / "scenarios" / "port-scan-triage.yaml"), "--json")
    problems = json.loads(result.stdout)["problems"]
    assert any(p["field"] == "tasks[3].max_attempts" and "gates 20 of 70 points (open-ports)"
               in p["message"] and p["severity"] == "warning" for p in problems)


def test_seat_standings_count_grants(build, tmp_path):
    from runner.classroom.status import lab_score

    service = _session(build, tmp_path)
    ask(service, op="answer", task="kind", value="connect")
    service.store.grant_attempts(service.session_id, "kind", 2)
    kind = lab_score(service.store, service.session_id, service.loaded).scores[0]
    assert kind.max_attempts == 3 and kind.attempts_left == 2
