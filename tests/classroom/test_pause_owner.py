"""A trainer's pause has one owner: a file copy in flight cannot undo it (real Docker engine).

Before: the copy-out of a submission froze the lab, ``class pause`` saw it frozen
and did nothing, the copy then thawed it, and the store said "paused" while the
trainee kept working.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import docker
import pytest

from runner.backends import fetchguard
from runner.classroom import controls
from runner.home import Home
from runner.session.runtime import existing_session

pytestmark = pytest.mark.docker

SCENARIO = "port-scan-triage"


@pytest.fixture
def docker_seat(cli: Any, roster: Any, home: Path) -> tuple[str, str]:
    """One seat of class 'p1' with its lab running in Docker; removed afterwards."""
    made = cli("class", "create", "p1", "--scenario", SCENARIO,
               "--roster", str(roster(rows=[["ann", "Ann", "A", "ann@example.org"]])),
               "--credentials-out", str(home.parent / "creds.csv"))
    assert made.code == 0, made.stderr
    started = cli("class", "start", "p1", "--backend", "docker", "--json")
    assert started.code == 0, started.stderr + started.stdout
    with Home(home).classes() as classes:
        (lab,) = classes.labs("p1")
    yield lab.seat, lab.session_id
    with existing_session(home, lab.session_id) as running:
        running.backend.stop(running.handle, remove_work=True)


def test_a_pause_during_a_submission_copy_stays_paused(docker_seat: tuple[str, str],
                                                       home: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seat, session_id = docker_seat
    with existing_session(home, session_id) as running:
        assert running.backend.run(running.handle, running.spec,
                                   ["sh", "-c", "echo hi > /work/f.txt"])[0] == 0
        in_copy, finish_copy = threading.Event(), threading.Event()
        check = fetchguard.check_stat

        def slow_check(*args: Any) -> None:  # the copy holds the lab frozen here
            in_copy.set()
            finish_copy.wait(60)
            check(*args)

        monkeypatch.setattr(fetchguard, "check_stat", slow_check)
        copied: list[Path] = []
        copy = threading.Thread(target=lambda: copied.append(running.link().fetch(
            "/work/f.txt", "1")))
        copy.start()
        assert in_copy.wait(60)
        pause = threading.Thread(target=controls.pause_seat, args=(home, "p1", seat))
        pause.start()
        pause.join(3)  # with one owner the pause waits for the copy; before, it returned
        finish_copy.set()
        copy.join(60)
        pause.join(60)
        assert copied and copied[0].read_text() == "hi\n"
        engine = docker.from_env()
        try:
            status = engine.containers.get(running.handle.ref).status
        finally:
            engine.close()
        assert status == "paused"
        with Home(home).classes() as classes:
            assert classes.seat("p1", seat).paused_at is not None
        controls.resume_seat(home, "p1", seat)
        assert running.backend.is_running(running.handle)
