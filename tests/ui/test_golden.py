"""Golden tests of every rich view in ``runner/ui/``: fixed data, fixed-width consoles.

Each view is rendered to a string at 80 columns (what a classroom terminal has)
and, for the wide tables, at 120, without colour, and compared with a text file
in ``golden/``. One view is also kept with its ANSI colours, so a lost style
shows too. Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest
tests/ui`` and read the diff.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType

from runner.scenario.problems import Problem
from runner.session.scoring import TaskState
from runner.ui.board import board_table
from runner.ui.build import RichBuildReporter, image_table
from runner.ui.facts import catalogue_view, facts_view, query_view
from runner.ui.render import (
    checker_table,
    problems_table,
    results_table,
    scenario_table,
    sessions_table,
    tasks_table,
)
from runner.ui.variants import files_table, variants_table

GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    """Times are printed in local time: pin the zone so the goldens hold anywhere."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def render(view: RenderableType, width: int, *, color: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False,
                      legacy_windows=False, _environ={})
    console.print(view)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def check(name: str, text: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"


TASKS = [
    {"id": "scanner", "state": TaskState.CORRECT, "earned": 10.0, "points": 10,
     "attempts": 1, "hints_taken": 0},
    {"id": "ports", "state": TaskState.PARTIAL, "earned": 2.5, "points": 5,
     "attempts": 3, "hints_taken": 1},
    {"id": "timeline", "state": TaskState.LOCKED, "earned": 0.0, "points": 15,
     "attempts": 0, "hints_taken": 0},
    {"id": "final-report-with-a-long-name", "state": TaskState.OPEN, "earned": 0.0,
     "points": 20, "attempts": 0, "hints_taken": 0},
]
TOTAL = {"score": 12.5, "max_score": 50, "percent": 25.0, "solved": 1, "total": 4,
         "hints": 1, "attempts": 4}
SEAT = {"seat": "alice", "name": "Alice Adams", "status": "running", "errors": [],
        "solved": 3, "tasks": 4, "score": 37.5, "max_score": 50, "percent": 75.0,
        "attempts": 9, "hints": 2, "last_activity": NOW - 95, "time_left": 1_234}
BOARD = {"class": "forensics-101", "frozen": False, "scenarios": ["port-scan-triage"],
         "seats": [SEAT,
                   {**SEAT, "seat": "bob", "name": "Bob Brown-Featherstonehaugh the Third",
                    "status": "paused", "solved": 0, "score": 0.0, "percent": 0.0,
                    "attempts": 0, "hints": 0, "last_activity": None, "time_left": 240},
                   {**SEAT, "seat": "carol", "name": "Carol", "status": "failed",
                    "errors": ["lab image missing"], "time_left": None,
                    "last_activity": NOW - 4_000}]}
FACTS = {"dns.queries": [{"ts": 1.5, "src": "10.0.0.5", "name": "example.org", "qtype": "A",
                          "answered": True},
                         {"ts": 2.25, "src": "10.0.0.5", "name": "a-very-long-domain-name."
                          "that-wraps.example.com", "qtype": "AAAA", "answered": False}],
         "http.requests": []}
PROVENANCE = {"rows_matched": 2, "table": "dns.queries", "analyzer": "dns",
              "analyzer_version": 3, "dflab_version": "0.1.0", "evidence_sha256": "ab" * 32}

VIEWS: dict[str, Callable[[], Any]] = {
    "tasks": lambda: tasks_table("abc123: Port-scan triage", TASKS, TOTAL),
    "results": lambda: results_table("Grading: port-scan-triage", [
        {"task": "scanner", "status": "correct", "earned": 10, "points": 10,
         "feedback": "Correct."},
        {"task": "ports", "status": "invalid", "earned": 0, "points": 5,
         "feedback": "Not a port list: write numbers separated by commas, e.g. 22, 80."},
        {"task": "final", "status": "unanswered", "earned": 0, "points": 20,
         "feedback": "No answer."}], TOTAL),
    "sessions": lambda: sessions_table([
        {"id": "3f9a0c1b2d4e", "scenario": "port-scan-triage", "trainee": "alice",
         "backend": "docker", "status": "active", "score": 12.5, "max_score": 50,
         "created_at": NOW},
        {"id": "77aa00bb11cc", "scenario": "arp-poisoning", "trainee": "bob",
         "backend": "local", "status": "stopped", "score": 0, "max_score": 30,
         "created_at": NOW + 3_600}]),
    "scenarios": lambda: scenario_table([
        {"id": "port-scan-triage", "title": "Port-scan triage", "difficulty": "easy",
         "minutes": 30, "tasks": 4, "points": 50.0, "lab": "network", "tags": ["nmap", "tcp"],
         "blocks": ["port-scan"], "languages": ["en", "ru", "uk"]},
        {"id": "disk-timeline", "title": "A disk image's timeline, from MAC times to a story",
         "difficulty": "hard", "minutes": 90, "tasks": 7, "points": 120.5, "lab": "disk",
         "tags": [], "blocks": ["disk-forensics"], "languages": ["en"]}]),
    "checkers": lambda: checker_table([
        {"name": "ip", "summary": "An IPv4/IPv6 address or network.", "sealable": True,
         "input": "text", "params": [{"name": "cidr", "type": "bool", "default": False}]},
        {"name": "artifact", "summary": "A file produced in the lab, judged by SHA-256.",
         "sealable": False, "input": "file", "params": []}]),
    "problems": lambda: problems_table([
        Problem("scenarios/x.yaml", 12, "tasks[0].answer.type", "unknown answer type 'ipp'",
                "did you mean 'ip'?"),
        Problem("scenarios/x.yaml", 3, "minutes", "60 minutes for 9 tasks is short",
                severity="warning")]),
    "board": lambda: board_table(BOARD, now=NOW),
    "board-collected": lambda: board_table({**BOARD, "frozen": True, "seats": []}, now=NOW),
    "board-quota": lambda: board_table({**BOARD, "seats": [
        {**SEAT, "work_over_quota": True}, *BOARD["seats"][1:]]}, now=NOW),
    "board-copied": lambda: board_table({**BOARD, "seats": [
        SEAT, {**SEAT, "seat": "bob", "name": "Bob", "copied": ["office-intrusion/scanner"]}]},
        now=NOW),
    "variants": lambda: variants_table("office-intrusion: 2 variant(s) self-tested", [
        {"seed": 1823475529, "ok": True, "cross_checked": 7, "percent": 100.0, "problems": []},
        {"seed": 77, "ok": False, "cross_checked": 7, "percent": 85.0,
         "problems": ["task 'scanner': the story says ['198.51.100.7'], the analyzers find "
                      "['10.20.30.4']"]}]),
    "variant-files": lambda: files_table("office-intrusion: variant 77 in /tmp/v77", [
        ("branch-office.pcap", "1f3cf33a879144cc249a23719e6d39b63cf0ac2dca744bfb6cbb37b1"
                               "329e71c2")]),
    "images": lambda: image_table([
        {"target": "network", "image": "dflab/lab-network:latest", "present": True,
         "up_to_date": True, "size_mb": 312, "created": "2026-01-01 00:00"},
        {"target": "disk", "image": "dflab/lab-disk:latest", "present": False}]),
    "facts": lambda: facts_view(FACTS, ["packet 7: truncated TCP header"], 3, limit=1),
    "catalogue": lambda: catalogue_view({"dns.queries": [
        ("ts", "float", "capture time, seconds"), ("name", "str", "queried name")],
        "http.requests": [("host", "str", "Host header")]}),
    "query": lambda: query_view(["example.org", None, True], PROVENANCE),
}


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_matches_golden(name: str, width: int) -> None:
    check(f"{name}-{width}", render(VIEWS[name](), width))


def test_colours_match_golden() -> None:
    check("tasks-80-colour", render(VIEWS["tasks"](), 80, color=True))
    check("board-80-colour", render(VIEWS["board"](), 80, color=True))


def test_board_keeps_seat_and_clock_columns_whole_at_80_columns() -> None:
    text = render(VIEWS["board"](), 80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "alice" in text and "20:34" in text and "4:00" in text  # never cut


def test_build_reporter_prints_steps_and_the_log_tail_on_failure() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80, no_color=True, force_terminal=False)
    with pytest.raises(RuntimeError), RichBuildReporter(console, tail=2) as reporter:
        reporter.step("network", "building dflab/lab-network")
        for line in ("Step 1/3", "Step 2/3", "Step 3/3: apt-get failed"):
            reporter.log("network", line)
        raise RuntimeError("build failed")
    check("build-failure-80", "\n".join(x.rstrip() for x in out.getvalue().splitlines()) + "\n")
