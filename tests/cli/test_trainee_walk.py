"""The new trainee's walk (issue 9, items 1-6 and 13): languages, hints, verdicts,
stop and its archive, reports, status, and one-line errors, through the real CLI."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

from runner.cli.context import Ctx
from runner.cli.main import main
from runner.session.store import Store

ROOT = Path(__file__).resolve().parents[2]


def explained(build) -> Path:
    return build.scenario(tasks=[
        {"id": "word", "question": {"en": "Which word follows 'hello'?",
                                    "uk": "Яке слово йде після 'hello'?"},
         "points": 10, "answer": {"type": "text", "expected": "evidence"},
         "hints": [{"text": "Read the file.", "cost": 2}], "max_attempts": 2,
         "explanation": {"en": "Line 1 of notes.txt says it.",
                         "uk": "Це сказано в першому рядку notes.txt."},
         "solution": "evidence"},
        {"id": "last", "question": "Type 'done'.", "max_attempts": 1,
         "answer": {"type": "text", "expected": "done"},
         "explanation": "The task asked for the word itself.", "solution": "done"}])


def test_unknown_language_is_refused_with_a_suggestion(cli, build, home):
    scenario = build.scenario()
    for code, hint in (("ua", "did you mean 'uk'? "), ("de", "")):
        result = cli("start", str(scenario), "--backend", "local", "--lang", code,
                     "--run", "true")
        assert result.code == 2
        assert result.stderr == (f"error: unknown language '{code}' ({hint}dflab speaks: "
                                 "en, uk, ru) (fix: e.g. 'dflab start --lang uk')\n")
    assert not (home / "sessions.db").exists()


def test_every_lab_message_comes_in_ukrainian(cli, build):
    script = ("lab --help; lab tasks; lab show word; lab answer last done; lab hint word; "
              "lab answer word nope; lab score")
    result = cli("start", str(explained(build)), "--backend", "local", "--lang", "uk",
                 "--run", script)
    out = result.stdout
    assert "використання: lab КОМАНДА" in out
    assert "✔ розв'язано   ◐ частково   ✘ поки що неправильно" in out
    assert "[word] балів: 10, тип відповіді: text" in out and "Яке слово йде" in out
    assert "Доступно ще підказок: 1, наступна коштує 2 б.: 'lab hint word'." in out
    assert "Спроби: використано 0 з 2, залишилося 2." in out
    assert "ПРАВИЛЬНО — завдання last: 10/10 б." in out
    assert "підказка коштує 2 б. (виправлення: виконайте 'lab hint word --yes'" in out
    assert "НЕПРАВИЛЬНО — завдання word: 0/10 б.; залишилося спроб: 1" in out
    assert "Рахунок: 10/20 (розв'язано завдань: 1 з 2, взято підказок: 0)" in out
    # dflab's own table at the end speaks the session's language too
    assert "завдання" in result.stderr and "разом" in result.stderr
    assert "Traceback" not in out + result.stderr


def test_hint_shows_its_cost_and_needs_confirmation(cli, build):
    script = "lab hint word; echo rc=$?; lab score; lab hint word --yes; lab score"
    out = cli("start", str(build.scenario()), "--backend", "local", "--run", script).stdout
    assert ("lab: taking a hint costs 2 point(s) (fix: run 'lab hint word --yes' to "
            "confirm)\nrc=2\nScore: 0/20 (0/2 tasks solved, 0 hint(s) taken)") in out
    assert "Hint (2 point(s) off): Read the file." in out
    assert "Score: 0/20 (0/2 tasks solved, 1 hint(s) taken)" in out


def test_verdicts_read_well_and_closed_tasks_explain_themselves(cli, build):
    script = ("lab tasks; lab answer word evidence; lab show word; lab hint word --yes; "
              "lab answer last nope; lab answer last done")
    out = cli("start", str(explained(build)), "--backend", "local", "--run", script).stdout
    assert "✔ solved   ◐ partly right   ✘ wrong so far   ⊘ locked   · not tried" in out
    assert "CORRECT — task word: 10/10 points\nExplanation: Line 1 of notes.txt says it." in out
    assert "attempt(s) left" not in out.split("CORRECT")[1].split("\n")[0]
    shown = out.split("[word]")[1]
    assert "more hint(s) available" not in shown.split("lab:")[0]
    assert "Solved: 10/10 points." in shown and "Attempts: 1 of 2 used, 1 left." in shown
    assert "lab: task 'word' is already solved" in out
    assert ("NOT CORRECT — task last: 0/10 points; no attempts left: the task is closed\n"
            "Explanation: The task asked for the word itself.") in out
    assert "lab: no attempts left for task 'last' (1 used)" in out


def _sessions(home: Path) -> list:
    store = Store(home / "sessions.db")
    try:
        return store.sessions()
    finally:
        store.close()


def test_stop_asks_first_and_keeps_an_archive_of_the_work(cli, build, home):
    scenario = build.scenario()
    started = cli("start", str(scenario), "--backend", "local", "--keep", "--run",
                  "echo found > carved.txt")
    assert started.code == 0, started.stderr
    (row,) = _sessions(home)
    refused = cli("stop", row.id)
    assert refused.code == 2 and refused.stderr.count("\n") == 1
    assert "deletes its work folder (fix: add --yes" in refused.stderr
    assert (home / "labs" / row.id / "work" / "carved.txt").is_file()
    stopped = cli("stop", row.id, "--yes", "--json")
    assert stopped.code == 0, stopped.stderr
    archive = Path(json.loads(stopped.stdout)["work_archive"])
    assert archive == home / "archives" / f"{row.id}-work.tar.gz"
    with tarfile.open(archive) as tar:
        member = tar.extractfile("work/carved.txt")
        assert member is not None and member.read() == b"found\n"
    assert not (home / "labs" / row.id).exists()
    report = json.loads(cli("report", row.id, "--format", "json").stdout)
    assert [w["path"] for w in report["work_archives"]] == [str(archive)]
    assert str(archive) in cli("report", row.id).stdout


def test_stop_keep_work_keeps_the_folder(cli, build, home):
    cli("start", str(build.scenario()), "--backend", "local", "--keep", "--run", "touch x")
    (row,) = _sessions(home)
    assert cli("stop", row.id, "--keep-work").code == 0
    assert (home / "labs" / row.id / "work" / "x").is_file()
    assert not (home / "archives").exists()


def test_start_with_stdin_from_a_file_leaves_nothing_behind(build, home, tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text("lab tasks\n")
    env = {**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1"}
    with answers.open() as stdin:
        proc = subprocess.run([sys.executable, "-m", "runner.cli", "start",
                               str(build.scenario()), "--backend", "local"], stdin=stdin,
                              capture_output=True, text=True, env=env, check=False, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == ("error: standard input is not a terminal, so the lab's shell cannot "
                           "be opened (fix: run dflab from a terminal, or pass --run 'COMMAND' "
                           "for a script)\n")
    assert not (home / "sessions.db").exists() and not (home / "labs").exists()


def test_report_into_a_missing_folder_is_one_line(cli, build, home, tmp_path):
    cli("start", str(build.scenario()), "--backend", "local", "--run", "true")
    target = tmp_path / "no" / "such" / "r.md"
    result = cli("report", "--output", str(target))
    assert result.code == 3 and result.stderr.count("\n") == 1
    assert f"the folder {target.parent} does not exist" in result.stderr
    assert f"mkdir -p {target.parent}" in result.stderr


def test_report_shows_hints_normalised_answers_and_html_has_it_all(cli, build, home):
    cli("start", str(build.scenario()), "--backend", "local", "--run",
        "lab hint word --yes; lab answer word '  EVIDENCE '")
    (row,) = _sessions(home)
    md = cli("report", row.id).stdout
    assert "| hint | hint 1 | -2 points |" in md
    assert "|   EVIDENCE  → evidence |" in md or "| EVIDENCE  → evidence |" in md.replace(
        "|   ", "| ")
    page = cli("report", row.id, "--format", "html")
    html_text = (home / "reports" / f"{row.id}.html").read_text(encoding="utf-8")
    assert "report written to" in page.stderr
    for needed in ("Scenario file", row.scenario_sha256, "Last activity", "active",
                   "hint 1", "→ evidence", "How the answers were judged", row.trainee):
        assert needed in html_text, needed
    assert re.search(r"\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", html_text)


def test_status_at_80_columns_keeps_ids_whole_and_lists_seats_apart(cli, build, home):
    scenario = build.scenario()
    for _ in range(2):
        cli("start", str(scenario), "--backend", "local", "--trainee",
            "a-trainee-with-a-rather-long-name", "--run", "true")
    store = Store(home / "sessions.db")
    seat = store.create_session(scenario_id="mini-case", scenario_path=str(scenario),
                                scenario_sha256="0" * 64, title="Mini", lang="en",
                                trainee="s1", seat="seat01", backend="docker")
    store.event(seat, "class-seat", cls="course-1", seat="seat01")
    ids = [r.id for r in store.sessions()]
    store.close()
    out = io.StringIO()
    ctx = Ctx(stdout=out, stderr=io.StringIO(), stdin=io.StringIO(),
              env={**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1"}, width=80)
    assert main(["status"], ctx) == 0
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for session_id in ids:
        assert re.search(rf"(^|\s){session_id}(\s|$)", text, re.M), session_id
    personal, seats = text.split("Class seats")
    assert seat not in personal and seat in seats and "course-1/seat01" in seats
    assert re.search(r"(^|\s)[+-]\d{4}(\s|$)", personal, re.M)  # the UTC offset
    data = json.loads(cli("status", "--json").stdout)
    assert [s["id"] for s in data["class_seats"]] == [seat]
    assert len(data["sessions"]) == 2


def test_kept_lab_message_names_a_command_the_shell_can_run(build, home):
    """`make lab` leaves dflab in .venv/bin, off PATH: the message must still work."""
    env = {**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1",
           "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-m", "runner.cli", "start", str(build.scenario()),
                            "--backend", "local", "--keep", "--run", "lab answer word evidence"],
                           capture_output=True, text=True, env=env, check=False, timeout=60)
    assert first.returncode == 0, first.stderr
    found = re.search(r"lab kept: run '(.+) resume (\w+)' to continue", first.stderr)
    assert found, first.stderr
    command = found.group(1)
    assert not command.startswith("dflab ")
    again = subprocess.run(f"{command} resume {found.group(2)} --keep --run 'lab score'",
                           shell=True, capture_output=True, text=True, env=env, check=False,
                           timeout=60, cwd="/")
    assert again.returncode == 0, again.stderr
    assert "Score: 10/20" in again.stdout
    assert shlex.split(command)[0].startswith("/")
