"""Class management (local backend): rosters from spreadsheets, delete, stop all, the wide
gradebook, Ctrl-C during start, and what ``dflab gc`` may remove."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from runner.classroom import lifecycle
from runner.classroom.lifecycle import StartInterrupted
from runner.classroom.roster import parse_roster
from runner.classroom.store import ClassStore
from runner.session.runtime import existing_session
from runner.session.service import SessionService


def test_a_semicolon_roster_is_read_by_sniffing_its_delimiter():
    text = "ID number;Full name;Email address\nA1;Ann Smith, Jr.;ann@x.org\nb2;Bo;bo@x.org\n"
    trainees = parse_roster(text)
    assert [(t.seat, t.name, t.email) for t in trainees] == [
        ("a1", "Ann Smith, Jr.", "ann@x.org"), ("b2", "Bo", "bo@x.org")]
    tabbed = parse_roster("id\tname\nc3\tCy\n")
    assert [(t.seat, t.name) for t in tabbed] == [("c3", "Cy")]


def test_an_implausible_email_gets_a_warning_naming_its_line(cli, roster, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id;name;email\nann;Ann;ann@x.org\nbo;Bo;bo@localhost\n", encoding="utf-8")
    made = cli("class", "create", "c1", "--scenario", "port-scan-triage", "--roster", str(path),
               "--credentials-out", str(tmp_path / "creds.csv"))
    assert made.code == 0, made.stderr
    warned = [line for line in made.stderr.splitlines() if "warning" in line]
    assert len(warned) == 1 and f"{path}:3" in warned[0] and "bo@localhost" in warned[0]


def test_stop_without_seats_stops_every_seat(local_class, cli, home):
    done = cli("class", "stop", "c1", "--json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["seats"] == ["alice", "bob"]
    classes = ClassStore.open(home)
    try:
        assert [s.status for s in classes.seats("c1")] == ["stopped", "stopped"]
        assert all(classes.store.session(lab.session_id).status != "active"
                   for lab in classes.labs("c1"))
    finally:
        classes.close()


def test_delete_refuses_running_or_unexported_classes_then_forgets(local_class, cli, home,
                                                                   tmp_path):
    running = cli("class", "delete", "c1")
    assert running.code == 6 and "still has 2 lab(s) running" in running.stderr
    assert cli("class", "collect", "c1").code == 0
    unexported = cli("class", "delete", "c1")
    assert unexported.code == 6 and "never exported" in unexported.stderr
    assert cli("class", "export", "c1", "--output", str(tmp_path / "out")).code == 0
    deleted = cli("class", "delete", "c1", "--json")
    assert deleted.code == 0, deleted.stderr
    kept = json.loads(deleted.stdout)["sessions_kept"]
    assert len(kept) == 2
    assert cli("class", "status", "c1").code == 4
    classes = ClassStore.open(home)
    try:
        assert classes.seats("c1") == [] and classes.labs("c1") == []
        assert classes.store.session(kept[0]).status == "stopped"  # the record stays
    finally:
        classes.close()


def _answer(home: Path, seat: str, task: str, value: str) -> None:
    classes = ClassStore.open(home)
    (lab,) = classes.labs("c1", seat)
    classes.close()
    running = existing_session(home, lab.session_id)
    try:
        service = SessionService(running.store, running.row.id, running.loaded, None,
                                 running.row.lang, 1000)
        service.op_answer({"task": task, "value": value})
    finally:
        running.store.close()


def test_the_wide_export_has_a_row_per_trainee_with_points_and_answers(local_class, cli, home,
                                                                       tmp_path):
    _answer(home, "alice", "scanner", "10.0.0.1")
    _answer(home, "alice", "scanner", "172.16.0.8")
    _answer(home, "bob", "scanner", "10.0.0.2")
    assert cli("class", "export", "c1", "--output", str(tmp_path)).code == 0
    with (tmp_path / "c1-wide.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["seat"] for r in rows] == ["alice", "bob"]
    assert rows[0]["scanner (points)"] == "10" and rows[0]["scanner (answer)"] == "172.16.0.8"
    assert rows[1]["scanner (points)"] == "0" and rows[1]["scanner (answer)"] == "10.0.0.2"
    assert rows[1]["open-ports (answer)"] == ""
    assert len([k for k in rows[0] if k.endswith("(points)")]) == 6
    assert cli("class", "export", "c1", "--format", "json", "--output", str(tmp_path)).code == 0
    data = json.loads((tmp_path / "c1-gradebook.json").read_text())
    task = next(r for r in data["tasks"] if r["seat"] == "alice" and r["task"] == "scanner")
    assert isinstance(task["evidence_sha256"], dict) and task["evidence_intact"] is None
    assert task["answer"] == "172.16.0.8" and task["points"] == 10
    assert data["wide"][0]["scanner (points)"] == 10
    assert cli("class", "collect", "c1").code == 0
    cli("class", "export", "c1", "--format", "json", "--output", str(tmp_path))
    data = json.loads((tmp_path / "c1-gradebook.json").read_text())
    assert all(r["evidence_intact"] is True for r in data["tasks"])


def test_ctrl_c_during_start_keeps_status_true_and_start_resumes(cli, roster, home, tmp_path):
    made = cli("class", "create", "c1", "--scenario", "port-scan-triage", "--roster",
               str(roster([["a", "A", "", ""], ["b", "B", "", ""], ["c", "C", "", ""]])))
    assert made.code == 0, made.stderr

    def interrupt(_: object) -> None:
        raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    with pytest.raises(StartInterrupted) as stopped:
        lifecycle.start_class(home, "c1", backend_name="local", parallel=1, progress=interrupt)
    assert "class start c1" in stopped.value.one_line()
    classes = ClassStore.open(home)
    try:
        labs = {lab.seat: lab.session_id for lab in classes.labs("c1")}
        started = {seat for seat, sid in labs.items() if sid}
        assert 1 <= len(started) < 3  # no more labs were begun after Ctrl-C
        status = {s.seat: s.status for s in classes.seats("c1")}
        assert all(status[seat] == "running" for seat in started)
        assert all(status[seat] == "created" for seat in labs if seat not in started)
        active = {row.id for row in classes.store.sessions("active")}
        assert active == {labs[seat] for seat in started}  # status matches what runs
    finally:
        classes.close()
    again = cli("class", "start", "c1", "--backend", "local", "--json")
    assert again.code == 0, again.stderr
    assert len(json.loads(again.stdout)["started"]) == 3


def test_gc_keeps_trainees_work_without_yes_and_for_unexported_classes(local_class, cli,
                                                                       home, tmp_path):
    solo = cli("class", "create", "c2", "--scenario", "port-scan-triage", "--roster",
               str(tmp_path / "roster.csv"))
    assert solo.code == 0
    assert cli("class", "start", "c2", "--backend", "local").code == 0
    for name in ("c1", "c2"):
        assert cli("class", "collect", name).code == 0
    assert cli("class", "export", "c1", "--output", str(tmp_path / "out")).code == 0
    c1_dirs = [p for p in (home / "labs").iterdir() if _class_of(home, p.name) == "c1"]
    c2_dirs = [p for p in (home / "labs").iterdir() if _class_of(home, p.name) == "c2"]
    assert len(c1_dirs) == 2 and len(c2_dirs) == 2

    dry = json.loads(cli("gc", "--dry-run", "--json").stdout)
    assert {f"work {p}" for p in c1_dirs} <= set(dry["would_remove"])
    assert not any(str(p) in item for p in c2_dirs for item in dry["would_remove"])
    assert all(p.is_dir() for p in c1_dirs)  # a dry run removes nothing
    plain = json.loads(cli("gc", "--json").stdout)
    assert {f"work {p}" for p in c1_dirs} <= set(plain["kept_work"])
    assert all(p.is_dir() for p in c1_dirs)
    sure = json.loads(cli("gc", "--yes", "--json").stdout)
    assert {f"work {p}" for p in c1_dirs} <= set(sure["removed"])
    assert not any(p.exists() for p in c1_dirs)
    assert all(p.is_dir() for p in c2_dirs)  # c2 was never exported


def _class_of(home: Path, session_id: str) -> str:
    classes = ClassStore.open(home)
    try:
        found = classes.seat_of_session(session_id)
        return found[0] if found else ""
    finally:
        classes.close()


def test_a_seat_over_its_work_quota_shows_on_the_board(local_class, cli, home):
    # The quota is watched, not enforced: the board must say which seat is over it.
    from runner.classroom.serve import ClassServer
    from runner.classroom.status import class_status

    server = ClassServer(home, local_class)
    try:
        server._record_quota(["alice"])
        seats = {s["seat"]: s for s in class_status(home, local_class)["seats"]}
        assert seats["alice"]["work_over_quota"] and not seats["bob"]["work_over_quota"]
        board = cli("class", "board", local_class, "--once")
        assert "/work over quota (not enforced): alice" in board.stdout, board.stdout
        server._record_quota([])
        assert not any(s["work_over_quota"] for s in class_status(home, local_class)["seats"])
    finally:
        server.store.close()
