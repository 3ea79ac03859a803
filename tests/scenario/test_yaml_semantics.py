"""YAML 1.2 core-schema reading (issue 8.3): no silent key corruption, and a warning
for every scalar YAML reads otherwise than it was typed."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.scenario.yamlsrc import load_source, parse_source

SCENARIO = """\
schema_version: 1
id: yaml-case
title: t
evidence:
  - file: notes.txt
    sha256: {sha}
tasks:
  - id: duration
    question: How long did the call last (m:ss)?
    answer: {{type: text, expected: 1:34}}
    solution: 1:34
  - id: admin
    question: Was the admin logged in?
    answer: {{type: text, expected: no}}
    solution: no
  - id: folder
    question: Which folder?
    answer: {{type: text, expected: "3B\\backdoor"}}
    solution: "3B\\backdoor"
  - id: count
    question: How many?
    answer: {{type: integer, expected: 1e3}}
    solution: 1000
"""


def _scenario(build) -> Path:
    import hashlib

    ev = build.evidence()
    return build.write(SCENARIO.format(sha=hashlib.sha256(ev.read_bytes()).hexdigest()))


def test_yaml_11_forms_stay_text(tmp_path: Path):
    sheet = tmp_path / "s.yaml"
    sheet.write_text("a: 1:34\nb: yes\nc: no\nd: on\ne: 010\nf: 0o17\ng: 0x1F\nh: 1_000\n"
                     "i: 2024-01-02\nj: true\nk: ~\nl: 1.5\n")
    data = load_source(sheet).data
    assert data == {"a": "1:34", "b": "yes", "c": "no", "d": "on", "e": 10, "f": 15, "g": 31,
                    "h": "1_000", "i": "2024-01-02", "j": True, "k": None, "l": 1.5}


def test_sexagesimal_key_is_no_longer_94(cli, build, tmp_path: Path):
    """Under YAML 1.1 both the key and the sheet read 1:34 as 94, so '94' was 'correct'."""
    scenario = _scenario(build)
    sheet = tmp_path / "answers.yaml"
    sheet.write_text("duration: 94\nadmin: false\n")
    data = json.loads(cli("grade", str(scenario), "--answers", str(sheet), "--json").stdout)
    status = {t["task"]: t["status"] for t in data["tasks"]}
    assert status["duration"] == "wrong" and status["admin"] == "wrong"
    sheet.write_text("duration: 1:34\nadmin: no\n")
    data = json.loads(cli("grade", str(scenario), "--answers", str(sheet), "--json").stdout)
    status = {t["task"]: t["status"] for t in data["tasks"]}
    assert status["duration"] == "correct" and status["admin"] == "correct"


def test_validate_warns_about_escapes_and_retyped_numbers(cli, build):
    scenario = _scenario(build)
    result = cli("validate", str(scenario))
    assert result.code == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert f"{scenario}:18: tasks[2].answer.expected: \"3B\\backdoor\" holds a backspace" in out
    assert "write it in single quotes, '3B\\backdoor'" in out
    assert f"{scenario}:22: tasks[3].answer.expected: '1e3' is read as the number 1000.0" in out
    assert "quote it ('1e3')" in out
    warnings = [p for p in json.loads(cli("validate", str(scenario), "--json").stdout)["problems"]
                if p["severity"] == "warning"]
    fields = {p["field"] for p in warnings}
    assert {"tasks[2].answer.expected", "tasks[2].solution", "tasks[3].answer.expected"} <= fields
    # 1:34 and no are now text as typed: nothing to warn about
    assert not any(p["field"].startswith(("tasks[0]", "tasks[1]")) for p in warnings)


def test_grade_warns_about_the_sheet(cli, build, tmp_path: Path):
    scenario = _scenario(build)
    sheet = tmp_path / "answers.yaml"
    sheet.write_text('folder: "3B\\backdoor"\ncount: 010\n')
    result = cli("grade", str(scenario), "--answers", str(sheet))
    err = " ".join(result.stderr.split())
    assert f"warning: {sheet}:1: folder: \"3B\\backdoor\" holds a backspace" in err
    assert f"{sheet}:2: count: '010' is read as the integer 10" in err
    data = json.loads(cli("grade", str(scenario), "--answers", str(sheet), "--json").stdout)
    assert [w["field"] for w in data["warnings"]] == ["folder", "count"]
    sheet.write_text("folder: '3B\\backdoor'\n")
    data = json.loads(cli("grade", str(scenario), "--answers", str(sheet), "--json").stdout)
    assert data["warnings"] == []
    # the scenario's own key is mangled the same way until the trainer applies the fix
    assert {t["task"]: t["status"] for t in data["tasks"]}["folder"] == "wrong"
    scenario.write_text(scenario.read_text().replace('"3B\\backdoor"', "'3B\\backdoor'"))
    data = json.loads(cli("grade", str(scenario), "--answers", str(sheet), "--json").stdout)
    assert {t["task"]: t["status"] for t in data["tasks"]}["folder"] == "correct"
    problems = json.loads(cli("validate", str(scenario), "--json").stdout)["problems"]
    assert not any(p["field"].startswith("tasks[2]") for p in problems)


def test_canonical_values_and_single_quotes_raise_no_warning(tmp_path: Path):
    sheet = tmp_path / "s.yaml"
    sheet.write_text("a: 10\nb: 1.5\nc: true\nd: 'C:\\temp'\ne: \"plain\"\nf: \"tab\tliteral\"\n")
    assert load_source(sheet).changed == []


def test_escapes_that_make_separators_are_reported(tmp_path: Path):
    sheet = tmp_path / "s.yaml"
    sheet.write_text('logs: "C:\\Logs"\nspace: "a\\_b"\n')
    changed = {at: message for at, _line, message, _fix in load_source(sheet).changed}
    assert "a line separator (from '\\L')" in changed[("logs",)]
    assert "a no-break space (from '\\_')" in changed[("space",)]


def test_verify_says_when_a_key_passes_only_because_yaml_changed_it(cli, build):
    scenario = _scenario(build)
    result = cli("verify", str(scenario))
    assert result.code == 0  # the key and the solution are changed alike...
    assert f"warning: {scenario}:18: tasks[2].answer.expected:" in result.stderr  # ...so: warn
    data = json.loads(cli("verify", str(scenario), "--json").stdout)
    assert len(data["scenarios"][0]["warnings"]) == 3


_PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"),
                           blacklist_characters="\ufeff\x85\xa0")


@settings(max_examples=200, deadline=None)
@given(st.integers(-10**30, 10**30), st.floats(allow_nan=False, allow_infinity=False))
def test_canonical_numbers_read_back_without_warning(n: int, f: float):
    source = parse_source(f"n: {n}\nf: {f!r}\n", Path("p.yaml"))
    assert source.data == {"n": n, "f": f} and source.changed == []


@settings(max_examples=200, deadline=None)
@given(st.text(_PRINTABLE, max_size=40))
def test_single_quoted_text_is_kept_exactly_as_typed(text: str):
    quoted = "'" + text.replace("'", "''") + "'"
    source = parse_source(f"a: {quoted}\n", Path("p.yaml"))
    assert source.data == {"a": text} and source.changed == []
