"""``class create`` makes the seats' variants of generated scenarios, and ``dflab gc``
leaves them for ``class start`` (no Docker needed: nothing starts here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.generate.materialize import is_current, materialize
from runner.home import Home
from runner.scenario.loader import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "generate" / "data" / "note-scenario.yaml"


def test_create_makes_each_seats_variant_and_gc_keeps_them(
        cli: Any, home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann\nbob,Bob\ncid,Cid\n", encoding="utf-8")
    made = cli("class", "create", "v1", "--scenario", str(SCENARIO), "--roster", str(roster),
               "--credentials-out", str(tmp_path / "creds.csv"))
    assert made.code == 0, made.stderr
    assert "3 of 3 seat variants made" in made.stderr
    with Home(home).classes() as classes:
        prepared = {seat: sid for (seat, _), sid in classes.prepared("v1").items()}
        seeds = {s.seat: s.seed for s in classes.seats("v1")}
    assert sorted(prepared) == ["ann", "bob", "cid"]
    loaded = load_scenario(SCENARIO)
    for seat, session_id in prepared.items():
        assert is_current(loaded, seeds[seat], Home(home).variant_dir(session_id))
    gc = cli("gc", "--yes", "--json")
    assert gc.code == 0, gc.stderr
    assert not any("variants" in item for item in json.loads(gc.stdout)["removed"])
    assert all(Home(home).variant_dir(sid).is_dir() for sid in prepared.values())


def test_a_class_without_generated_evidence_makes_no_variants(
        cli: Any, home: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann\n", encoding="utf-8")
    made = cli("class", "create", "v2", "--scenario", "port-scan-triage", "--roster",
               str(roster), "--credentials-out", str(tmp_path / "creds.csv"))
    assert made.code == 0, made.stderr
    assert "variants made" not in made.stderr
    assert not Home(home).variants.exists()


def test_slow_variants_are_made_by_workers_at_create_and_the_start_makes_none(
        cli: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runner.classroom.variants as variants_module
    import runner.generate.materialize as materialize_module

    made_here: list[int] = []
    real = materialize_module.generate_variant

    def counted(*args: object, **kw: object) -> object:
        made_here.append(1)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(materialize_module, "generate_variant", counted)
    monkeypatch.setattr(variants_module, "SLOW_SECONDS", 0.0)  # every variant is "slow"
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"s{i},S{i}\n" for i in range(4)), encoding="utf-8")
    made = cli("class", "create", "w2", "--scenario", str(SCENARIO), "--roster", str(roster),
               "--credentials-out", str(tmp_path / "c.csv"), "--seed", "5")
    assert made.code == 0 and "4 of 4 seat variants made" in made.stderr, made.stderr
    assert len(made_here) == 2  # two stories of the first seat here; workers made the rest
    started = cli("class", "start", "w2", "--backend", "local", "--json")
    assert started.code == 0, started.stderr + started.stdout
    assert len(made_here) == 2  # the start generated nothing
    with Home(home).classes() as classes:
        seeds = {s.seat: s.seed for s in classes.seats("w2")}
    loaded = load_scenario(SCENARIO)
    for o in json.loads(started.stdout)["started"]:  # byte for byte the seat's variant
        copy = materialize(loaded, seeds[o["seat"]], tmp_path / "check" / o["seat"])
        assert (copy.evidence[0].path.read_bytes()
                == (Home(home).variant_dir(o["session_id"]) / "note.txt").read_bytes())


def test_ctrl_c_while_making_variants_keeps_the_class_and_the_start_makes_the_rest(
        cli: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runner.generate.materialize as materialize_module

    real = materialize_module.generate_variant
    calls: list[int] = []

    def interrupted(*args: object, **kw: object) -> object:
        calls.append(1)
        if len(calls) == 3:  # the second seat's first story: Ctrl-C
            raise KeyboardInterrupt
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(materialize_module, "generate_variant", interrupted)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann\nbob,Bob\n", encoding="utf-8")
    creds = tmp_path / "c.csv"
    made = cli("class", "create", "w3", "--scenario", str(SCENARIO), "--roster", str(roster),
               "--credentials-out", str(creds))
    assert made.code == 0, made.stderr
    assert "making variants interrupted" in made.stderr
    assert creds.read_text().count("\n") == 3  # header and both seats' passwords
    with Home(home).classes() as classes:
        assert list(classes.prepared("w3")) == [("ann", "seized-note")]
    started = cli("class", "start", "w3", "--backend", "local", "--json")
    assert started.code == 0, started.stderr + started.stdout
    assert len(json.loads(started.stdout)["started"]) == 2
