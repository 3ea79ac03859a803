"""A seat's service: answers refused while paused, after the deadline and once collected."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from runner.classroom import controls
from runner.classroom.service import SeatService, serve_seat
from runner.classroom.store import ClassStore
from runner.session.labclient import request
from runner.session.runtime import Running, existing_session


@pytest.fixture
def seat(local_class, home) -> Iterator[tuple[Running, SeatService]]:
    classes = ClassStore.open(home)
    (lab,) = classes.labs(local_class, "alice")
    classes.close()
    running = existing_session(home, lab.session_id)
    thread = serve_seat(running, local_class, "alice", rate_per_minute=1000)
    service = thread.service
    yield running, service
    thread.close()
    running.store.close()


def answer(service: SeatService, value: str = "10.0.0.1") -> dict:
    return service.handle({"v": 1, "op": "answer", "task": "scanner", "value": value})


def test_pause_refuses_answers_and_resume_gives_the_time_back(seat, home):
    _, service = seat
    assert answer(service)["ok"]
    before = ClassStore.open(home).seat("c1", "alice").deadline(60)
    controls.pause_seat(home, "c1", "alice")
    reply = answer(service)
    assert not reply["ok"] and "paused by the trainer" in reply["error"] and reply["code"] == 6
    hint = service.handle({"v": 1, "op": "hint", "task": "scanner"})
    assert not hint["ok"] and "paused" in hint["error"]
    assert service.handle({"v": 1, "op": "score"})["ok"]  # reading is still fine
    time.sleep(0.05)
    controls.resume_seat(home, "c1", "alice")
    after = ClassStore.open(home).seat("c1", "alice").deadline(60)
    assert after is not None and before is not None and after - before >= 0.05
    assert answer(service, "172.16.0.8")["data"]["status"] == "correct"


def test_answers_close_at_the_deadline_and_extend_reopens(seat, home):
    _, service = seat
    classes = ClassStore.open(home)
    classes.update_seat("c1", "alice", started_at=time.time() - 3601)
    reply = answer(service)
    assert not reply["ok"] and "time is up" in reply["error"]
    controls.extend_seat(home, "c1", "alice", 5)
    assert answer(service)["ok"]
    assert service.handle({"v": 1, "op": "hello"})["data"]["time_left"] > 200
    assert 200 < service.handle({"v": 1, "op": "tasks"})["data"]["time_left"] <= 300
    classes.close()


def test_expired_seats_are_stopped_and_their_answers_kept(seat, home, cli):
    running, service = seat
    assert answer(service, "172.16.0.8")["ok"]
    ClassStore.open(home).update_seat("c1", "alice", started_at=time.time() - 4000)
    assert controls.expire_seats(home, "c1") == ["alice"]
    assert running.store.session(running.row.id).status == "stopped"
    status = json.loads(cli("class", "status", "c1", "--json").stdout)
    alice = status["seats"][0]
    assert alice["status"] == "ended" and alice["solved"] == 1 and alice["time_left"] == 0


def test_collect_freezes_the_class(seat, home, cli):
    _, service = seat
    done = cli("class", "collect", "c1", "--json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["frozen"] is True
    reply = answer(service)
    assert not reply["ok"] and "collected" in reply["error"]
    refused = cli("class", "pause", "c1", "alice")
    assert refused.code == 2 and "frozen" in refused.stderr


def test_the_seat_socket_answers_as_that_seat_only(seat, home):
    running, _ = seat
    sock = str(running.spec.service_dir / "lab.sock")
    reply = request({"op": "answer", "task": "scanner", "value": "172.16.0.8"}, sock)
    assert reply["status"] == "correct"
    hello = request({"op": "hello"}, sock)
    assert (hello["seat"], hello["session"]) == ("alice", running.row.id)
    classes = ClassStore.open(home)
    (bob,) = classes.labs("c1", "bob")
    assert classes.store.attempts(bob.session_id) == []
    assert len(classes.store.attempts(running.row.id)) == 1
