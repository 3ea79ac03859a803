"""Two seats of a class in real Docker labs get their own generated evidence and keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.home import Home
from runner.session.runtime import existing_session

pytestmark = pytest.mark.docker

SCENARIO = Path(__file__).resolve().parent.parent / "generate" / "data" / "note-scenario.yaml"


@pytest.fixture
def docker_class(cli: Any, home: Path, tmp_path: Path) -> dict[str, str]:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nann,Ann,A,a@x.org\nbob,Bob,B,b@x.org\n",
                      encoding="utf-8")
    # A fixed class seed: with a random one, two seats draw the same password from the
    # pool now and then, and a copied answer is then rightly not "copied".
    made = cli("class", "create", "g1", "--scenario", str(SCENARIO), "--roster", str(roster),
               "--credentials-out", str(tmp_path / "creds.csv"), "--seed", "11")
    assert made.code == 0, made.stderr
    started = cli("class", "start", "g1", "--backend", "docker", "--json")
    with Home(home).classes() as classes:
        labs = {lab.seat: lab.session_id for lab in classes.labs("g1")}
    yield labs
    for session_id in labs.values():
        if session_id:
            with existing_session(home, session_id) as running:
                running.backend.stop(running.handle, remove_work=True)
    assert started.code == 0, started.stderr + started.stdout


def test_two_seats_see_their_own_evidence_and_copied_answers_are_flagged(
        docker_class: dict[str, str], cli: Any, home: Path, tmp_path: Path) -> None:
    seen: dict[str, bytes] = {}
    with Home(home).classes() as classes:
        seeds = {s.seat: s.seed for s in classes.seats("g1")}
        keys = {seat: classes.store.keys(sid) for seat, sid in docker_class.items()}
    for seat, session_id in docker_class.items():
        with existing_session(home, session_id) as running:
            code, out = running.backend.run(running.handle, running.spec,
                                            ["sh", "-c", "cat /evidence/note.txt; "
                                             "ls /evidence; test ! -w /evidence/note.txt"])
            assert code == 0, out
            assert sorted(out.split()[-3:]) == ["banner.txt", "note.txt", "words.txt"]
            seen[seat] = out.encode()
            assert "variant.json" not in out  # story values (the keys) stay on the host
    assert seen["ann"] != seen["bob"]
    assert keys["ann"]["attacker"][0] != keys["bob"]["attacker"][0]
    # the same seed reproduces the same bytes: the trainer's copy of ann's variant
    out = tmp_path / "ann"
    assert cli("variant", str(SCENARIO), "--seed", str(seeds["ann"]), "--out", str(out)).code == 0
    note = (out / "note.txt").read_text()
    assert note.encode() in seen["ann"]
    # bob answers with ann's values, through the lab command in his container
    sheet = yaml.safe_load((out / "answers.yaml").read_text())
    with existing_session(home, docker_class["bob"]) as running:
        service = running.serve()
        try:
            script = "; ".join(f"lab answer {t} '{sheet[t]}'"
                               for t in ("attacker", "account", "password"))
            code, output = running.backend.run(running.handle, running.spec,
                                               ["sh", "-c", script])
        finally:
            service.close()
    assert output.lower().count("not correct") == 3, output
    exported = cli("class", "export", "g1", "--format", "json", "--output", str(tmp_path))
    assert exported.code == 0, exported.stderr
    rows = json.loads((tmp_path / "g1-gradebook.json").read_text())["tasks"]
    flagged = {r["task"]: r["copied_from"] for r in rows if r["seat"] == "bob"}
    assert flagged["attacker"] == flagged["account"] == flagged["password"] == "ann"
    assert all(not r["copied_from"] for r in rows if r["seat"] == "ann")
    assert {r["variant_seed"] for r in rows if r["seat"] == "ann"} == {seeds["ann"]}


def test_dflab_start_mounts_the_variant_of_its_seed(cli: Any, home: Path, tmp_path: Path) -> None:
    out = tmp_path / "v9"
    assert cli("variant", str(SCENARIO), "--seed", "9", "--out", str(out)).code == 0
    started = cli("start", str(SCENARIO), "--backend", "docker", "--seed", "9", "--run",
                  "cat /evidence/note.txt; ls /evidence", "--remove")
    assert started.code == 0, started.stderr
    assert (out / "note.txt").read_text() in started.stdout
    assert "variant.json" not in started.stdout
