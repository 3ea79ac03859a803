"""Strict loading: every problem at once, each with file:line, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.scenario.loader import load_scenario, validate_scenario
from runner.scenario.model import pick_text
from runner.scenario.problems import ScenarioError


def errors(path: Path) -> list[str]:
    _, problems = validate_scenario(path)
    return [p.one_line() for p in problems if p.severity == "error"]


def test_valid_scenario_loads_with_compiled_answers(build):
    loaded = load_scenario(build.scenario())
    assert loaded.id == "mini-case"
    assert loaded.profile.id == "network"
    assert [e.name for e in loaded.evidence] == ["notes.txt"]
    assert loaded.answers["word"].checker.name == "text"
    assert loaded.answers["word"].literal.values == ("evidence", "proof")


def test_unknown_key_suggests_the_nearest_valid_key(build):
    path = build.write("""\
        schema_version: 1
        id: x
        titel: "Typo"
        tasks:
          - id: a
            question: q
            answr: {type: text, expected: x}
        """)
    found = errors(path)
    assert any(":3: titel: unknown key 'titel' (fix: did you mean 'title'?)" in e for e in found)
    assert any(":7: tasks[0].answr: unknown key 'answr'" in e and "'answer'" in e for e in found)


def test_every_problem_in_a_file_is_reported_at_once(build):
    path = build.write("""\
        schema_version: 1
        id: Bad Id
        title: t
        difficulty: easy
        lab: netwrk
        tasks:
          - id: a
            question: q
            points: lots
            answer: {type: ipp, expected: 1.2.3.4}
          - id: b
            question: q
            answer: {type: text, expectd: x}
        """)
    found = errors(path)
    lines = sorted({int(e.split(":")[1]) for e in found})
    assert lines == [2, 4, 5, 9, 10, 13]
    assert any("did you mean 'network'" in e for e in found)
    assert any("unknown answer type 'ipp'" in e for e in found)
    assert any("did you mean 'expected'" in e for e in found)


def test_malformed_yaml_names_the_line(build):
    path = build.write("schema_version: 1\nid: x\ntasks: [\n  - id: a\n")
    (problem,) = errors(path)
    assert "YAML syntax error" in problem
    assert f"{path}:" in problem


def test_duplicate_key_is_an_error(build):
    path = build.write("schema_version: 1\nid: x\nid: y\ntitle: t\ntasks: []\n")
    assert any(":3: id: key 'id' appears twice" in e for e in errors(path))


def test_non_utf8_file_is_one_clear_problem(build):
    path = build.root / "scenarios" / "latin1.yaml"
    path.write_bytes("schema_version: 1\ntitle: caf\xe9\n".encode("latin-1"))
    (problem,) = errors(path)
    assert "not UTF-8" in problem and ":2:" in problem


def test_wrong_type_names_the_field(build):
    path = build.scenario(estimated_minutes="soon")
    assert any("estimated_minutes" in e and "valid integer" in e for e in errors(path))


def test_missing_evidence_file_is_reported(build):
    path = build.scenario(evidence=[{"file": "gone.pcap", "sha256": "a" * 64}])
    assert any("evidence[0].file: evidence file not found" in e for e in errors(path))


def test_evidence_hash_mismatch_gives_the_actual_hash(build):
    path = build.scenario()
    (build.root / "scenarios" / "notes.txt").write_bytes(b"tampered\n")
    found = errors(path)
    assert any("evidence[0].sha256" in e and "SHA-256 is" in e for e in found)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.code == 3


def test_unknown_prerequisite_and_cycles_are_reported(build):
    tasks = [
        {"id": "a", "question": "q", "answer": {"type": "text", "expected": "x"},
         "requires": ["b"], "solution": "x"},
        {"id": "b", "question": "q", "answer": {"type": "text", "expected": "x"},
         "requires": ["a", "c"], "solution": "x"},
    ]
    found = errors(build.scenario(tasks=tasks))
    assert any("unknown task 'c'" in e for e in found)
    assert any("cycle" in e for e in found)


def test_missing_solution_is_only_a_warning(build):
    tasks = [{"id": "a", "question": "q", "answer": {"type": "text", "expected": "x"}}]
    loaded, problems = validate_scenario(build.scenario(tasks=tasks))
    assert loaded is not None
    assert [p.severity for p in problems] == ["warning"]


def test_unsupported_schema_version_is_refused(build):
    path = build.scenario(schema_version=2)
    assert any("schema_version 2 is not supported" in e for e in errors(path))


def test_text_picks_language_with_english_fallback():
    text = {"en": "Which host?", "uk": "Який хост?"}
    assert pick_text(text, "uk") == "Який хост?"
    assert pick_text(text, "fr") == "Which host?"
    assert pick_text({"de": "Welcher?"}, "fr") == "Welcher?"
    assert pick_text("plain", "uk") == "plain"
