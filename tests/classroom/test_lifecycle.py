"""Creating and starting a class (local backend: no Docker needed)."""

from __future__ import annotations

import json

from runner.classroom.store import ClassStore


def test_create_stores_hashed_credentials_and_seeds(cli, roster, home, tmp_path):
    creds = tmp_path / "creds.csv"
    made = cli("class", "create", "c1", "--scenario", "port-scan-triage",
               "--roster", str(roster()), "--credentials-out", str(creds))
    assert made.code == 0, made.stderr
    passwords = [line.split(",")[-1] for line in creds.read_text().splitlines()[1:]]
    classes = ClassStore.open(home)
    seats = classes.seats("c1")
    assert [s.seat for s in seats] == ["alice", "bob"]
    assert all(s.pw_hash.startswith("scrypt$") for s in seats)
    raw = classes.store.path.read_bytes()
    assert not any(pw.encode() in raw for pw in passwords)
    assert len({s.seed for s in seats}) == 2 and [s.status for s in seats] == ["created"] * 2
    classes.close()
    again = cli("class", "create", "c1", "--scenario", "port-scan-triage",
                "--roster", str(roster()))
    assert again.code == 2 and "already exists" in again.stderr


def test_a_bad_roster_creates_nothing(cli, roster, home):
    bad = roster([["a1", "Ann", "", "ann@x.org"], ["a1", "Bo", "", ""]])
    made = cli("class", "create", "c1", "--scenario", "port-scan-triage", "--roster", str(bad))
    assert made.code == 3 and "line 3" in made.stderr and "nothing was created" in made.stderr
    assert json.loads(cli("class", "list", "--json").stdout) == {"classes": []}


def test_passwords_are_printed_once_without_a_file(cli, roster):
    made = cli("class", "create", "c2", "--scenario", "port-scan-triage",
               "--roster", str(roster()))
    assert made.code == 0
    assert [line.split("\t")[0] for line in made.stdout.splitlines()] == ["alice", "bob"]


def test_start_records_a_session_per_seat(local_class, cli, home):
    status = json.loads(cli("class", "status", local_class, "--json").stdout)
    seats = status["seats"]
    assert [s["status"] for s in seats] == ["running", "running"]
    sessions = [s["sessions"]["port-scan-triage"] for s in seats]
    assert len(set(sessions)) == 2
    classes = ClassStore.open(home)
    rows = [classes.store.session(sid) for sid in sessions]
    assert [r.seat for r in rows] == ["alice", "bob"]
    assert all(s["time_left"] > 3500 for s in seats)
    classes.close()
    # starting again adopts the same labs, it never makes new sessions
    again = json.loads(cli("class", "start", local_class, "--backend", "local",
                           "--json").stdout)
    assert sorted(o["session_id"] for o in again["started"]) == sorted(sessions)
