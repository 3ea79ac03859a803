"""Variants made at ``class create``: reused by ``class start`` on the real Docker engine,
checked before the lab opens, and made again when the story changed since."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner.home import Home
from runner.session.runtime import existing_session

pytestmark = pytest.mark.docker

DATA = Path(__file__).resolve().parent.parent / "generate" / "data"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A copy of the seized-note scenario and its story, free to edit."""
    folder = tmp_path / "sc"
    folder.mkdir()
    for name in ("note-scenario.yaml", "note-story.yaml"):
        shutil.copy(DATA / name, folder / name)
    return folder / "note-scenario.yaml"


@pytest.fixture
def created(cli: Any, home: Path, tmp_path: Path, scenario: Path) -> Iterator[str]:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann\nbob,Bob\n", encoding="utf-8")
    made = cli("class", "create", "p1", "--scenario", str(scenario), "--roster", str(roster),
               "--credentials-out", str(tmp_path / "creds.csv"), "--seed", "7")
    assert made.code == 0, made.stderr
    assert "2 of 2 seat variants made" in made.stderr
    yield "p1"
    with Home(home).classes() as classes:
        sessions = [lab.session_id for lab in classes.labs("p1") if lab.session_id]
    for session_id in sessions:
        with existing_session(home, session_id) as running:
            running.backend.stop(running.handle, remove_work=True)


def _prepared(home: Path) -> dict[str, str]:
    with Home(home).classes() as classes:
        return {seat: sid for (seat, _), sid in classes.prepared("p1").items()}


def _started(cli: Any, home: Path) -> dict[str, str]:
    started = cli("class", "start", "p1", "--backend", "docker", "--json")
    assert started.code == 0, started.stderr + started.stdout
    return {o["seat"]: o["session_id"] for o in json.loads(started.stdout)["started"]}


def test_start_uses_the_variants_made_at_create_mounted_read_only(
        created: str, cli: Any, home: Path) -> None:
    prepared = _prepared(home)
    assert sorted(prepared) == ["ann", "bob"]
    notes = {seat: (Home(home).variant_dir(sid) / "note.txt").read_text()
             for seat, sid in prepared.items()}
    assert notes["ann"] != notes["bob"]
    assert _started(cli, home) == prepared  # the sessions took the variants made at create
    for seat, session_id in prepared.items():
        with existing_session(home, session_id) as running:
            _, out = running.backend.run(
                running.handle, running.spec,
                ["sh", "-c", "cat /evidence/note.txt; ls /evidence; "
                 "echo x >> /evidence/note.txt && echo WRITABLE"])
            assert notes[seat] in out
            assert "WRITABLE" not in out and "variant.json" not in out
            keys = running.store.keys(session_id)
            evidence = running.store.evidence(session_id)
        values = json.loads((Home(home).variant_dir(session_id) / "variant.json").read_text())
        assert keys["attacker"][0]["values"] == [values["values"]["attacker"]["ip"]]
        assert keys["attacker"][1]["source"] == "story"  # provenance: story, seed, hashes
        assert {e["name"] for e in evidence} == {"note.txt", "words.txt", "banner.txt"}
        assert all(e["at_start"] == e["sha256"] for e in evidence)


def test_a_tampered_variant_never_reaches_a_lab(created: str, cli: Any, home: Path) -> None:
    note = Home(home).variant_dir(_prepared(home)["bob"]) / "note.txt"
    note.write_text(note.read_text() + "planted line\n")
    started = cli("class", "start", "p1", "--backend", "docker", "--json")
    assert started.code != 0
    failed = json.loads(started.stdout)["failed"]
    assert [f["seat"] for f in failed] == ["bob"]
    assert "note.txt" in failed[0]["error"]


def test_a_changed_story_makes_the_variants_again(
        created: str, cli: Any, home: Path, scenario: Path) -> None:
    prepared = _prepared(home)
    story = scenario.with_name("note-story.yaml")
    story.write_text(story.read_text().replace("Incident note.", "Revised incident note."))
    started = _started(cli, home)
    assert set(started.values()).isdisjoint(prepared.values())
    for seat, session_id in started.items():
        assert not Home(home).variant_dir(prepared[seat]).exists()  # the stale one is gone
        with existing_session(home, session_id) as running:
            code, out = running.backend.run(running.handle, running.spec,
                                            ["cat", "/evidence/note.txt"])
        assert code == 0 and out.startswith("Revised incident note."), out
