"""A record answer through the session service: keys stored as JSON, credit per part,
an invalid record costs no attempt (shipped ftp-credentials scenario, real capture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.scenario.loader import load_scenario
from runner.session.keys import key_to_json, resolve_keys
from runner.session.service import SessionService
from runner.session.store import Store

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "ftp-credentials.yaml"


@pytest.fixture
def service(tmp_path: Path) -> SessionService:
    loaded = load_scenario(SCENARIO)
    store = Store(tmp_path / "s.db")
    session_id = store.create_session(scenario_id=loaded.id, scenario_path=str(loaded.path),
                                      scenario_sha256=loaded.sha256, title="FTP", lang="en",
                                      trainee="t", backend="local")
    store.save_keys(session_id, {t: (key_to_json(k), p) for t, (k, p) in
                                 resolve_keys(loaded, cache_dir=tmp_path).items()})
    return SessionService(store, session_id, loaded, None, lang="en", rate_per_minute=100)


def ask(service: SessionService, **request: object) -> dict:
    return service.handle({"v": 1, **request})


def test_record_key_is_computed_and_stored_as_parts(service):
    key, provenance = service.store.keys(service.session_id)["login"]
    assert key["values"] == [{"user": "salesxfer", "password": "p@ssw0rd"}]
    assert provenance["table"] == "credentials.credentials"
    reply = ask(service, op="answer", task="login", value="salesxfer:P@ssw0rd")
    data = reply["data"]
    assert data["status"] == "partial" and data["earned"] == 10
    assert "password: wrong" in data["feedback"]
    stored = service.store.attempts(service.session_id)[-1]
    assert json.loads(stored.normalized) == {"user": "salesxfer", "password": "P@ssw0rd"}


def test_invalid_record_uses_no_attempt_and_the_right_one_scores(service):
    reply = ask(service, op="answer", task="login", value="salesxfer")
    assert reply["data"]["status"] == "invalid"
    assert "user=..., password=..." in reply["data"]["feedback"]
    for _ in range(2):
        ask(service, op="answer", task="login", value="nobody:nothing")
    reply = ask(service, op="answer", task="login", value="user=SalesXfer; password=p@ssw0rd")
    assert reply["data"]["status"] == "correct" and reply["data"]["earned"] == 20
    assert ask(service, op="answer", task="uploaded-name",
               value="/backup/store4829-03222010.csv")["data"]["status"] == "correct"
