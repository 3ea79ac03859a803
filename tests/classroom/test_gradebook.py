"""Gradebook rows, CSV layouts for LMS import, offline grading, and the board."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from runner.classroom.store import ClassStore
from runner.session.labclient import request
from runner.session.runtime import existing_session

ANSWERS = Path(__file__).resolve().parent.parent / "scenarios" / "answers"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _answer_as(home: Path, seat: str, value: str) -> None:
    classes = ClassStore.open(home)
    (lab,) = classes.labs("c1", seat)
    classes.close()
    running = existing_session(home, lab.session_id)
    from runner.classroom.service import serve_seat

    thread = serve_seat(running, "c1", seat)
    try:
        request({"op": "answer", "task": "scanner", "value": value},
                str(running.spec.service_dir / "lab.sock"))
    finally:
        thread.close()
        running.store.close()


def test_export_csv_rows_and_lms_layouts(local_class, cli, home, tmp_path):
    _answer_as(home, "alice", "172.16.0.8")
    out = tmp_path / "out"
    done = cli("class", "export", "c1", "--format", "csv", "--output", str(out), "--json")
    assert done.code == 0, done.stderr
    names = sorted(Path(p).name for p in json.loads(done.stdout)["files"])
    assert names == ["c1-canvas.csv", "c1-gradebook.csv", "c1-moodle.csv", "c1-summary.csv",
                     "c1-wide.csv"]
    rows = list(csv.DictReader(_lines(out / "c1-gradebook.csv")))
    assert len(rows) == 2 * 6
    scanner = next(r for r in rows if r["seat"] == "alice" and r["task"] == "scanner")
    assert (scanner["verdict"], scanner["points"], scanner["max_points"]) == ("correct", "10", "10")
    assert scanner["attempts"] == "1" and float(scanner["seconds_to_first_correct"]) >= 0
    assert scanner["evidence_sha256"].startswith("synscan") and scanner["variant_seed"]
    assert next(r for r in rows if r["seat"] == "bob")["verdict"] == "unanswered"
    moodle = list(csv.reader(_lines(out / "c1-moodle.csv")))
    assert moodle[0] == ["ID number", "Email address", "Full name", "c1 (percent)"]
    assert moodle[1] == ["alice", "alice@example.org", "Alice Adams", "14.3"]
    canvas = list(csv.reader(_lines(out / "c1-canvas.csv")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "c1"]
    assert canvas[1][0] == "Points Possible" and canvas[1][-1] == "70"
    assert canvas[2] == ["Alice Adams", "", "alice", "alice", "c1", "10"]


def test_export_json(local_class, cli, tmp_path):
    done = cli("class", "export", "c1", "--format", "json", "--output", str(tmp_path))
    data = json.loads((tmp_path / "c1-gradebook.json").read_text())
    assert done.code == 0 and len(data["tasks"]) == 12 and len(data["summary"]) == 2


def test_grade_a_folder_of_answer_sheets(cli, roster, tmp_path):
    made = cli("class", "create", "paper", "--scenario", "port-scan-triage",
               "--roster", str(roster()))
    assert made.code == 0
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    shutil.copy(ANSWERS / "port-scan-triage.notation.yaml", sheets / "alice.yaml")
    shutil.copy(ANSWERS / "port-scan-triage.wrong.yaml", sheets / "bob.yaml")
    graded = cli("class", "grade", "paper", "--answers", str(sheets), "--json")
    assert graded.code == 0, graded.stderr
    by_seat = {r["seat"]: r for r in json.loads(graded.stdout)["graded"]}
    assert by_seat["alice"]["percent"] == 100.0 and by_seat["bob"]["percent"] < 100.0
    cli("class", "export", "paper", "--format", "json", "--output", str(tmp_path))
    data = json.loads((tmp_path / "paper-gradebook.json").read_text())
    alice = [r for r in data["tasks"] if r["seat"] == "alice"]
    assert all(r["verdict"] == "correct" and r["source"] == "alice.yaml" for r in alice)
    assert {s["seat"]: s["percent"] for s in data["summary"]}["alice"] == 100.0


def test_grade_refuses_a_file_for_an_unknown_seat(cli, roster, tmp_path):
    cli("class", "create", "paper", "--scenario", "port-scan-triage", "--roster", str(roster()))
    (tmp_path / "zed.yaml").write_text("scanner: 1.2.3.4\n")
    graded = cli("class", "grade", "paper", "--answers", str(tmp_path))
    assert graded.code == 3 and "no seat 'zed'" in graded.stderr


def test_board_once_prints_one_frame(local_class, cli):
    frame = cli("class", "board", "c1", "--once")
    assert frame.code == 0
    lines = frame.stdout.splitlines()
    assert "Class c1: port-scan-triage" in lines[0]
    assert any(line.split()[:3] == ["alice", "Alice", "Adams"] for line in lines)
    assert "0/6" in frame.stdout and "0/70" in frame.stdout
    assert "2 seats, 2 running, 0 connected" in frame.stdout
