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
    script = ("lab tasks; lab answer final done; lab hint word --yes; "
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
    assert [(a["kind"], a["verdict"]) for a in report["timeline"]] == [
        ("hint", None), ("answer", "correct"), ("answer", "correct")]
    assert all(e["at_start"] == e["at_stop"] == e["sha256"] for e in report["evidence"])
    md = cli("report", session["id"]).stdout
    assert "| word |" in md and "intact" in md
    html_run = cli("report", session["id"], "--format", "html")
    assert html_run.stdout == ""
    page = home / "reports" / f"{session['id']}.html"
    assert f"report written to {page}" in html_run.stderr
    html_out = page.read_text(encoding="utf-8")
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


@pytest.fixture
def tmux() -> str:
    """tmux drives the interactive tests: missing, they fail (they never skip)."""
    path = shutil.which("tmux")
    if path is None:
        pytest.fail("tmux is not installed (fix: apt-get install tmux)")
    return path


def _tmux_start(name: str, command: str) -> None:
    # The pane outlives dflab so its last lines can still be read.
    shell = f"{command}; echo dflab-exited=$?; sleep 120"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", shell],
                   check=True, cwd=Path(__file__).resolve().parents[2])


def _keys(name: str, *keys: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", name, *keys], check=True)


def _wait_gone(name: str) -> str:
    """Wait until dflab has exited; its last screen. The pane is then closed."""
    screen = _wait_for(name, "dflab-exited=")
    subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
    return screen


def test_interactive_shell_through_tmux(tmux, build, home, tmp_path):
    scenario = build.scenario()
    env = f"DFLAB_HOME={home} NO_COLOR=1"
    name = f"dflab-test-{os.getpid()}"
    _tmux_start(name, f"env {env} {sys.executable} -m runner.cli start {scenario} "
                      "--backend local")
    try:
        screen = _wait_for(name, "lab tasks' to begin")
        _keys(name, "lab answer word evidence", "Enter")
        screen = _wait_for(name, "CORRECT")
        assert "task word: 10/10 points" in screen
        _keys(name, "echo kept > notes.txt; exit", "Enter")
        screen = _wait_for(name, "Keep the lab")
        _keys(name, "n", "Enter")
        _wait_gone(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
    store = Store(home / "sessions.db")
    (row,) = store.sessions()
    assert row.status == "stopped"
    assert [a.status for a in store.attempts(row.id)] == ["correct"]
    assert (home / "archives" / f"{row.id}-work.tar.gz").is_file()


def test_ukrainian_lab_asks_before_a_hint_and_offers_to_resume(tmux, build, home):
    """Banner, hint question and dflab's prompts in Ukrainian; a second start of the
    same scenario offers the active session instead of a new one."""
    scenario = build.scenario()
    env = f"DFLAB_HOME={home} NO_COLOR=1 PATH=/usr/bin:/bin"
    start = f"env {env} {sys.executable} -m runner.cli start {scenario} --backend local"
    name = f"dflab-uk-{os.getpid()}"
    _tmux_start(name, f"{start} --lang uk")
    try:
        _wait_for(name, "Почніть з 'lab tasks'")
        _keys(name, "lab hint word", "Enter")
        _wait_for(name, "Підказка 1 з 1 до завдання word коштує 2 б.")
        _keys(name, "н", "Enter")
        _wait_for(name, "Підказку не взято.")
        _keys(name, "lab hint word", "Enter")
        _wait_for(name, "Взяти? [т/Н]", count=2)
        _keys(name, "т", "Enter")
        _wait_for(name, "Підказка (мінус 2 б.): Read the file.")
        _keys(name, "exit", "Enter")
        _wait_for(name, "Зберегти лабораторію для 'dflab resume'? [Т/н]")
        _keys(name, "Enter")
        screen = _wait_for(name, "лабораторію збережено")
        assert "/bin/dflab resume " in screen or "-m runner.cli resume " in screen
        _wait_gone(name)
        _tmux_start(name, start)
        _wait_for(name, "ще активна. Продовжити її? [Т/н]")
        _keys(name, "Enter")
        _wait_for(name, "продовжуємо сесію")
        _keys(name, "lab score", "Enter")
        _wait_for(name, "взято підказок: 1")
        _keys(name, "exit", "Enter")
        _wait_for(name, "Зберегти лабораторію")
        _keys(name, "н", "Enter")
        assert "копію робочої теки збережено" in _wait_gone(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)
    store = Store(home / "sessions.db")
    (row,) = store.sessions()
    assert row.status == "stopped" and len(store.hints(row.id)["word"]) == 1


def test_make_resume_reopens_the_lab(tmux, build, home):
    """README: 'make resume' works where 'dflab' is not on PATH."""
    started = dflab(home, "start", str(build.scenario()), "--backend", "local", "--keep",
                    "--run", "lab answer word evidence")
    assert started.returncode == 0, started.stderr
    name = f"dflab-make-{os.getpid()}"
    _tmux_start(name, f"env DFLAB_HOME={home} NO_COLOR=1 PATH=/usr/bin:/bin make -s resume")
    try:
        _wait_for(name, "resuming session", timeout=120)
        _keys(name, "lab score", "Enter")
        _wait_for(name, "Score: 10/20")
        _keys(name, "exit", "Enter")
        _wait_for(name, "Keep the lab")
        _keys(name, "Enter")
        assert "dflab-exited=0" in _wait_gone(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)


def _wait_for(name: str, text: str, timeout: float = 30, count: int = 1) -> str:
    deadline = time.time() + timeout
    screen = ""
    while time.time() < deadline:
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True,
                                text=True, check=False).stdout
        if screen.count(text) >= count:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")
