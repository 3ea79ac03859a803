"""Sealed copies of the shipped scenarios judge exactly like the plain ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runner.scenario.loader import load_scenario
from runner.scenario.seal import seal_text
from runner.session.grading import grade, load_sheet, solutions, total

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = Path(__file__).resolve().parent / "answers"
SCENARIOS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml")
                   if "generate:" not in p.read_text(encoding="utf-8"))  # real captures


@pytest.fixture(scope="module")
def sealed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sealed")
    for folder in ("scenarios", "pcaps", "labs"):
        shutil.copytree(ROOT / folder, root / folder)
    for path in sorted(root / "scenarios" / p.name for p in SCENARIOS):
        report = seal_text(load_scenario(path), keep_solutions=True)
        assert report.sealed, f"nothing sealed in {path.name}"
        path.write_text(report.text, encoding="utf-8")
    return root


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_sealed_scenario_grades_every_sheet_like_the_plain_one(path, sealed_root, tmp_path):
    plain = load_scenario(path)
    sealed = load_scenario(sealed_root / "scenarios" / path.name)
    assert "sealed:scrypt:" in sealed.source.text
    for sheet_kind in ("wrong", "notation"):
        sheet = ANSWERS / f"{plain.id}.{sheet_kind}.yaml"
        answers = load_sheet(sheet)
        a = grade(plain, answers, sheet.parent, tmp_path)
        b = grade(sealed, answers, sheet.parent, tmp_path)
        assert [r.earned for r in a] == [r.earned for r in b]
    assert total(grade(sealed, solutions(sealed), sealed.path.parent, tmp_path))["percent"] == 100
