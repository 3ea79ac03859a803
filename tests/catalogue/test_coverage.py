"""What a programme can teach from the catalogue (issue 13): every course block has a
scenario in English, Ukrainian and Russian, every block a beginner one, at least five
blocks an intermediate or advanced one, every shipped course names only real scenarios,
and every scenario has a wrong answer sheet graded (on its stated seed) to its stated total.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import CliRunner

from runner.scenario.blocks import BLOCKS

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = ROOT / "tests" / "scenarios" / "answers"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TWELVE = {"network-basics", "port-scan", "mitm", "wireless", "phishing", "credentials",
          "tunnelling-c2", "first-responder", "disk-forensics", "crypto", "darkweb", "osint"}


def _catalogue(cli: CliRunner) -> list[dict[str, object]]:
    listed = cli("list", "--json")
    assert listed.code == 0, listed.stderr
    rows: list[dict[str, object]] = json.loads(listed.stdout)["scenarios"]
    return rows


def test_every_block_has_a_scenario_in_three_languages_and_a_beginner_one(cli):
    rows = _catalogue(cli)
    assert TWELVE | {"mobile"} <= set(BLOCKS)
    for row in rows:
        assert {"en", "uk", "ru"} <= set(row["languages"]), row["id"]  # type: ignore[arg-type]
    by_block: dict[str, set[str]] = {}
    for row in rows:
        for block in row["blocks"]:  # type: ignore[attr-defined]
            by_block.setdefault(block, set()).add(str(row["level"]))
    missing = sorted(b for b in TWELVE | {"mobile"} if b not in by_block)
    assert missing == [], f"blocks without a scenario: {missing}"
    no_beginner = sorted(b for b, levels in by_block.items() if "beginner" not in levels)
    assert no_beginner == [], f"blocks without a beginner scenario: {no_beginner}"
    deeper = sorted(b for b, levels in by_block.items() if levels & {"intermediate", "advanced"})
    assert len(deeper) >= 5, deeper


def test_shipped_courses_have_no_planned_entries_left(cli):
    ids = {str(row["id"]) for row in _catalogue(cli)}
    for course in sorted((ROOT / "scenarios" / "courses").glob("*.yaml")):
        data = yaml.safe_load(course.read_text(encoding="utf-8"))
        entries = [e for day in data["days"] for e in day["scenarios"]]
        assert [e["scenario"] for e in entries if e.get("planned")] == [], course.name
        assert {e["scenario"] for e in entries} <= ids, course.name


def _stated(sheet: Path) -> tuple[int | None, float]:
    text = sheet.read_text(encoding="utf-8")
    seed = re.search(r"variant seed (\d+)", text)
    percent = re.search(r"= ([\d.]+)%", text)
    assert percent, f"{sheet} states no expected total"
    return (int(seed.group(1)) if seed else None), float(percent.group(1))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_wrong_sheet_is_graded_to_its_stated_total(path: Path, cli: CliRunner):
    sheet = ANSWERS / f"{path.stem}.wrong.yaml"
    assert sheet.is_file(), f"write {sheet.relative_to(ROOT)} (see the others for the form)"
    seed, percent = _stated(sheet)
    generated = "generate:" in path.read_text(encoding="utf-8")
    assert (seed is not None) == generated, f"{sheet.name}: 'variant seed N' iff generated"
    args = ["grade", str(path), "--answers", str(sheet), "--json"]
    graded = cli(*args, *(["--seed", str(seed)] if seed is not None else []))
    assert graded.stdout, graded.stderr
    assert json.loads(graded.stdout)["total"]["percent"] == percent
    assert 0 < percent < 100
