"""The session service: judging, limits, locks, hints, floods and bad requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.scenario.loader import load_scenario
from runner.session.keys import key_to_json, resolve_keys
from runner.session.service import SessionService
from runner.session.store import Store


def make_service(path: Path, db: Path, lang: str) -> SessionService:
    loaded = load_scenario(path)
    store = Store(db)
    session_id = store.create_session(scenario_id=loaded.id, scenario_path=str(loaded.path),
                                      scenario_sha256=loaded.sha256, title="Mini", lang=lang,
                                      trainee="t", backend="local")
    store.save_keys(session_id, {t: (key_to_json(k), p)
                                 for t, (k, p) in resolve_keys(loaded).items()})
    return SessionService(store, session_id, loaded, None, lang=lang, rate_per_minute=10)


@pytest.fixture
def service(build, tmp_path: Path) -> SessionService:
    return make_service(build.scenario(), tmp_path / "s.db", "en")


@pytest.fixture
def service_uk(build, tmp_path: Path) -> SessionService:
    return make_service(build.scenario(), tmp_path / "s.db", "uk")


def ask(service: SessionService, **request: object) -> dict:
    return service.handle({"v": 1, **request})


def test_answer_is_judged_scored_and_stored(service):
    reply = ask(service, op="answer", task="word", value="  PROOF ")
    assert reply["ok"] and reply["data"]["status"] == "correct"
    assert reply["data"]["earned"] == 10
    (attempt,) = service.store.attempts(service.session_id)
    assert attempt.raw == "  PROOF " and attempt.normalized == "proof"


def test_task_text_comes_in_the_session_language(service_uk):
    data = ask(service_uk, op="show", task="word")["data"]
    assert data["question"].startswith("Яке слово")


def test_refusals_come_in_the_session_language(service_uk):
    locked = ask(service_uk, op="answer", task="final", value="done")
    assert locked["error"] == ("завдання 'final' заблоковане "
                               "(виправлення: спершу розв'яжіть word)")
    missing = ask(service_uk, op="show", task="nosuch")
    assert missing["error"].startswith("завдання 'nosuch' немає (виправлення: 'lab tasks'")


def test_show_gives_attempts_left_and_the_next_hint_cost(service):
    data = ask(service, op="show", task="word")["data"]
    assert (data["max_attempts"], data["attempts_left"]) == (3, 3)
    assert (data["hints_left"], data["next_hint_cost"]) == (1, 2)
    assert data["explanation"] is None
    ask(service, op="answer", task="word", value="nope")
    assert ask(service, op="show", task="word")["data"]["attempts_left"] == 2


def test_solved_task_shows_its_explanation_and_offers_no_hint(build, tmp_path):
    path = build.scenario(tasks=[
        {"id": "word", "question": "Which word?", "points": 10,
         "answer": {"type": "text", "expected": "evidence"},
         "hints": [{"text": "Read the file.", "cost": 2}], "max_attempts": 2,
         "explanation": {"en": "It is on line 1.", "uk": "Воно в першому рядку."},
         "solution": "evidence"}])
    service = make_service(path, tmp_path / "s.db", "uk")
    verdict = ask(service, op="answer", task="word", value="evidence")["data"]
    assert verdict["explanation"] == "Воно в першому рядку."
    shown = ask(service, op="show", task="word")["data"]
    assert (shown["hints_left"], shown["next_hint_cost"]) == (0, None)
    assert shown["explanation"] == "Воно в першому рядку."
    assert "вже розв'язане" in ask(service, op="hint", task="word")["error"]


def test_exhausted_task_shows_its_explanation(build, tmp_path):
    path = build.scenario(tasks=[
        {"id": "word", "question": "Which word?", "points": 10,
         "answer": {"type": "text", "expected": "evidence"}, "max_attempts": 1,
         "explanation": "It is on line 1.", "solution": "evidence"}])
    service = make_service(path, tmp_path / "s.db", "en")
    verdict = ask(service, op="answer", task="word", value="nope")["data"]
    assert verdict["attempts_left"] == 0 and verdict["explanation"] == "It is on line 1."
    refused = ask(service, op="hint", task="word")
    assert refused["code"] == 6 and "no attempts left" in refused["error"]


def test_prerequisite_locks_a_task(service):
    reply = ask(service, op="answer", task="final", value="done")
    assert not reply["ok"] and reply["code"] == 6 and "locked" in reply["error"]


def test_hint_costs_points_and_attempt_limit_closes_the_task(service):
    assert ask(service, op="hint", task="word")["data"]["cost"] == 2
    assert not ask(service, op="hint", task="word")["ok"]  # only one hint
    for _ in range(3):
        assert ask(service, op="answer", task="word", value="nope")["data"]["status"] == "wrong"
    reply = ask(service, op="answer", task="word", value="evidence")
    assert not reply["ok"] and "no attempts left" in reply["error"]
    assert ask(service, op="score")["data"]["score"] == 0


def test_hint_cost_is_taken_off_a_correct_answer(service):
    ask(service, op="hint", task="word")
    assert ask(service, op="answer", task="word", value="evidence")["data"]["earned"] == 8


def test_unknown_task_lists_the_valid_ids(service):
    reply = ask(service, op="answer", task="nosuch", value="x")
    assert reply["code"] == 4 and "word" in reply["error"]


def test_invalid_answer_does_not_use_an_attempt(service):
    reply = ask(service, op="answer", task="word", value="   ")
    assert reply["data"]["status"] == "invalid"
    assert reply["data"]["attempts_left"] == 3


def test_oversized_answer_is_refused_and_nothing_is_stored(service):
    reply = ask(service, op="answer", task="word", value="x" * 1_000_000)
    assert not reply["ok"] and "bytes" in reply["error"]
    assert service.store.attempts(service.session_id) == []


def test_flood_is_throttled_without_losing_what_was_accepted(service):
    replies = [ask(service, op="answer", task="final", value="x") for _ in range(3)]
    assert all(not r["ok"] for r in replies)  # locked: refused before throttling
    accepted = 0
    for i in range(25):
        reply = ask(service, op="answer", task="word", value=f"guess {i}")
        if reply["ok"]:
            accepted += 1
        else:
            assert "no attempts left" in reply["error"] or "too many answers" in reply["error"]
    assert len(service.store.attempts(service.session_id)) == accepted == 3


def test_garbage_requests_are_answered_not_raised(service):
    assert not service.handle(None)["ok"]
    assert not service.handle({"op": "rm -rf"})["ok"]
    assert not service.handle({"op": "answer", "v": 99})["ok"]
    assert not ask(service, op="answer", task="word")["ok"]
