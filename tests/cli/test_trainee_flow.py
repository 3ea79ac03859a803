"""The trainee's flow through the real CLI and the local backend, end to end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.session.store import Store

DFLAB = [sys.executable, "-m", "runner.cli"]


def dflab(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([*DFLAB, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


def test_start_run_answer_and_report(cli, build, home):
    scenario = build.scenario()
    script = ("lab tasks; lab answer final done; lab hint word; "
              "lab answer word '  EVIDENCE '; lab answer final done; lab score; "
              "cat \"$EVIDENCE/notes.txt\"")
    result = cli("start", str(scenario), "--backend", "local", "--run", script)
    assert result.code == 0, result.stderr
    assert "task 'final' is locked" in result.stdout
    assert "Hint (2 point(s) off): Read the file." in result.stdout
    assert "Score: 18/20 (2/2 tasks solved, 1 hint(s) taken)" in result.stdout
    assert "hello evidence" in result.stdout
    status = json.loads(cli("status", "--json").stdout)
    (session,) = status["sessions"]
    assert session["score"] == 18
    report = json.loads(cli("report", session["id"], "--format", "json").stdout)
    assert [a["verdict"] for a in report["timeline"]] == ["correct", "correct"]
    assert all(e["at_start"] == e["at_stop"] == e["sha256"] for e in report["evidence"])
    md = cli("report", session["id"]).stdout
    assert "| word |" in md and "intact" in md
    html_out = cli("report", session["id"], "--format", "html").stdout
    assert html_out.startswith("<!doctype html>") and "&#x27;" not in html_out[:50]


def test_lab_client_refuses_bad_answers_with_one_line(cli, build, home):
    scenario = build.scenario()
    script = (
        "printf '\\377\\376bad' > bad.txt; lab answer word @bad.txt; echo rc=$?; "
        "head -c 1000000 /dev/zero | tr '\\0' a > big.txt; lab answer word @big.txt; echo rc=$?; "
        "lab answer nosuch x; echo rc=$?; lab frobnicate; echo rc=$?; "
        "lab submit word /etc/passwd; echo rc=$?"
    )
    result = cli("start", str(scenario), "--backend", "local", "--run", script)
    out = result.stdout
    assert "bad.txt: byte 0 is not UTF-8 text (fix: save the file as UTF-8)\nrc=3" in out
    assert "big.txt: the answer file is 1,000,000 bytes" in out
    assert "no task 'nosuch'" in out and "rc=4" in out
    assert "unknown command 'frobnicate'" in out and "rc=2" in out
    assert "takes a typed answer, not a file" in out and "rc=6" in out
    assert "Traceback" not in out + result.stderr


def test_killed_runner_resumes_with_every_attempt(build, home):
    scenario = build.scenario()
    started = dflab(home, "start", str(scenario), "--backend", "local", "--run",
                    "lab answer word evidence && touch keep.txt && kill -9 $PPID; sleep 5")
    assert started.returncode == -signal.SIGKILL
    store = Store(home / "sessions.db")
    (row,) = store.sessions()
    assert [a.status for a in store.attempts(row.id)] == ["correct"]
    resumed = dflab(home, "resume", "--run", "lab score; ls", "--keep")
    assert resumed.returncode == 0, resumed.stderr
    assert "Score: 10/20 (1/2 tasks solved" in resumed.stdout
    assert "keep.txt" in resumed.stdout


def test_evidence_tamper_during_session_is_detected(cli, build, home):
    scenario = build.scenario()
    script = 'chmod u+w "$EVIDENCE" "$EVIDENCE/notes.txt"; echo x >> "$EVIDENCE/notes.txt"'
    result = cli("start", str(scenario), "--backend", "local", "--run", script)
    assert result.code == 5
    assert "evidence changed during the session: notes.txt" in result.stderr
    session = json.loads(cli("status", "--json").stdout)["sessions"][0]["id"]
    assert "CHANGED during the session" in cli("report", session).stdout


def test_tampered_evidence_blocks_the_start(cli, build):
    scenario = build.scenario()
    (build.root / "scenarios" / "notes.txt").write_bytes(b"changed\n")
    result = cli("start", str(scenario), "--backend", "local", "--run", "true")
    assert result.code == 3
    assert "SHA-256 is" in result.stderr and "Traceback" not in result.stderr


def test_corrupt_session_database_is_one_line_and_untouched(cli, build, home):
    home.mkdir(parents=True)
    (home / "sessions.db").write_bytes(b"garbage" * 500)
    result = cli("status")
    assert result.code == 8
    assert result.stderr.count("\n") == 1 and "unreadable" in result.stderr
    assert (home / "sessions.db").read_bytes() == b"garbage" * 500


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux drives the interactive test")
def test_interactive_shell_through_tmux(build, home, tmp_path):
    scenario = build.scenario()
    env = f"DFLAB_HOME={home} NO_COLOR=1"
    name = f"dflab-test-{os.getpid()}"
    cmd = f"env {env} {sys.executable} -m runner.cli start {scenario} --backend local"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", cmd],
                   check=True, cwd=Path(__file__).resolve().parents[2])
    try:
        screen = _wait_for(name, "lab tasks' to begin")
        subprocess.run(["tmux", "send-keys", "-t", name, "lab answer word evidence", "Enter"],
                       check=True)
        screen = _wait_for(name, "CORRECT")
        assert "task word: 10/10 points" in screen
        subprocess.run(["tmux", "send-keys", "-t", name, "exit", "Enter"], check=True)
        screen = _wait_for(name, "Keep the lab")
        subprocess.run(["tmux", "send-keys", "-t", name, "n", "Enter"], check=True)
        deadline = time.time() + 20
        while time.time() < deadline and _alive(name):
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
    store = Store(home / "sessions.db")
    (row,) = store.sessions()
    assert row.status == "stopped"
    assert [a.status for a in store.attempts(row.id)] == ["correct"]


def _alive(name: str) -> bool:
    return subprocess.run(["tmux", "has-session", "-t", name], capture_output=True,
                          check=False).returncode == 0


def _wait_for(name: str, text: str, timeout: float = 30) -> str:
    deadline = time.time() + timeout
    screen = ""
    while time.time() < deadline:
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True,
                                text=True, check=False).stdout
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")
