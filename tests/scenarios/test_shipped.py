"""Every shipped scenario validates, self-tests at 100% and grades answer sheets right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.scenario.loader import load_scenario, validate_scenario
from runner.session.grading import grade, load_sheet, solutions, total

ROOT = Path(__file__).resolve().parents[2]
# Scenarios on real captures; the ones generated from stories are tested per variant in
# test_story_scenarios.py.
SCENARIOS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml")
                   if "generate:" not in p.read_text(encoding="utf-8"))
ANSWERS = Path(__file__).resolve().parent / "answers"


def test_there_are_at_least_three_scenarios():
    assert len(SCENARIOS) >= 3


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_validates_without_errors_or_warnings(path):
    loaded, problems = validate_scenario(path)
    assert loaded is not None, [p.one_line() for p in problems]
    assert problems == []
    assert 4 <= len(loaded.model.tasks) <= 10  # issue 13: 5 to 10 (older ones have 5-6)
    assert len({t.answer["type"] for t in loaded.model.tasks}) >= 4


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_reference_solutions_score_full_marks(path, tmp_path):
    loaded = load_scenario(path)
    results = grade(loaded, solutions(loaded), loaded.path.parent, tmp_path)
    assert [r.task for r in results if r.verdict.status.value != "correct"] == []
    assert total(results)["percent"] == 100.0


def _expected_percent(sheet: Path) -> float:
    match = re.search(r"= ([\d.]+)%", sheet.read_text())
    assert match, f"{sheet} states no expected total"
    return float(match.group(1))


@pytest.mark.parametrize("kind", ["wrong", "notation"])
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_answer_sheets_earn_the_stated_credit(path, kind, tmp_path):
    loaded = load_scenario(path)
    sheet = ANSWERS / f"{loaded.id}.{kind}.yaml"
    results = grade(loaded, load_sheet(sheet), sheet.parent, tmp_path)
    percent = total(results)["percent"]
    assert percent == _expected_percent(sheet)
    if kind == "wrong":
        assert 0 < percent < 100
    else:
        assert percent == 100.0


def test_partial_credit_is_exercised_by_the_wrong_sheets(tmp_path):
    statuses = set()
    for path in SCENARIOS:
        loaded = load_scenario(path)
        sheet = ANSWERS / f"{loaded.id}.wrong.yaml"
        statuses |= {r.verdict.status.value
                     for r in grade(loaded, load_sheet(sheet), sheet.parent, tmp_path)}
    assert {"correct", "partial", "wrong"} <= statuses
