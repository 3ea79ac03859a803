"""Hostile YAML and paths (issue 10.2, 10.12, 9.13): one clear line, never a crash or a hang."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest
from helpers import laughs

from runner.errors import InputError
from runner.scenario.loader import validate_scenario
from runner.scenario.yamlsrc import MAX_ALIAS_VALUES, load_source
from runner.session.grading import load_sheet


def _peak_mb(func) -> float:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_alias_bomb_in_a_scenario_is_refused_fast(cli, build):
    text = build.scenario().read_text() + "x-notes:\n" + laughs(indent="  ")
    path = build.write(text, name="bomb.yaml")
    result = cli("validate", str(path))
    assert result.code == 3
    assert f"{path}:" in result.stdout
    assert f"aliases expand to more than {MAX_ALIAS_VALUES:,} values" in result.stdout
    assert _peak_mb(lambda: validate_scenario(path)) < 64


def test_alias_bomb_on_the_scenario_path_does_not_stall_list(cli, build):
    build.write("schema_version: 1\nid: bomb\ntitle: t\nx:\n" + laughs(indent="  "),
                name="bomb.yaml")
    result = cli("list", "--json", env={"DFLAB_SCENARIOS": str(build.root / "scenarios")})
    assert result.code == 0, result.stderr


def test_small_answer_sheet_bomb_fails_fast_with_low_memory(cli, build, tmp_path: Path):
    scenario = build.scenario()
    sheet = tmp_path / "answers.yaml"
    sheet.write_text("word: proof\nunused:\n" + laughs(indent=" ") + "final: done\n")
    assert len(sheet.read_bytes()) < 500  # the attack used 377 bytes
    result = cli("grade", str(scenario), "--answers", str(sheet))
    assert result.code == 3
    assert result.stderr.count("\n") == 1 and f"{sheet}:" in result.stderr
    assert "alias bomb" in result.stderr

    def read() -> None:
        with pytest.raises(InputError):
            load_sheet(sheet)

    assert _peak_mb(read) < 64


def test_shared_aliases_within_the_cap_still_work(tmp_path: Path):
    path = tmp_path / "ok.yaml"
    path.write_text("base: &h {text: Look at the SYN flags., cost: 1}\n"
                    "hints: [*h, *h, *h]\n")
    data = load_source(path).data
    assert data["hints"] == [{"text": "Look at the SYN flags.", "cost": 1}] * 3


def test_self_referencing_alias_is_one_line(cli, build):
    path = build.write("schema_version: 1\nid: x\ntitle: t\ntasks: &t [*t]\n", name="self.yaml")
    result = cli("validate", str(path))
    assert result.code == 3
    assert f"{path}:4: (file): an alias refers to a value that contains the alias itself" in \
        " ".join(result.stdout.split())


def test_tab_in_indentation_says_tab(cli, build):
    path = build.write("schema_version: 1\nid: x\ntasks:\n\t- id: a\n", name="tab.yaml")
    result = cli("validate", str(path))
    assert result.code == 3
    out = " ".join(result.stdout.split())
    assert f"{path}:4: (file): a tab in the indentation" in out
    assert "replace the tab(s) at the start of that line by spaces" in out


def test_deep_nesting_is_refused(tmp_path: Path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 500 + "]" * 500 + "\n")
    with pytest.raises(InputError, match="nested more than"):
        load_source(path)


@pytest.mark.parametrize("value", ["5", "true", "'many'", "{a: 1}"])
def test_tasks_of_the_wrong_type_is_a_problem_not_a_crash(cli, build, value):
    path = build.write(f"schema_version: 1\nid: x\ntitle: t\ntasks: {value}\n", name="t.yaml")
    result = cli("validate", str(path))
    assert result.code == 3
    assert f"{path}:4: tasks:" in result.stdout


def _with_evidence_file(build, file: str) -> Path:
    return build.write({"schema_version": 1, "id": "x", "title": "t",
                        "evidence": [{"file": file, "sha256": "0" * 64}],
                        "tasks": [{"id": "a", "question": "q",
                                   "answer": {"type": "text", "expected": "x"}}]},
                       name="ev.yaml")


def test_nul_byte_in_an_evidence_path(cli, build):
    path = _with_evidence_file(build, "notes\0.txt")
    result = cli("validate", str(path))
    assert result.code == 3
    assert "evidence[0].file: the evidence path contains a NUL byte" in result.stdout


def test_symlink_loop_as_evidence(cli, build):
    loop = build.root / "scenarios" / "loop.pcap"
    os.symlink(loop.name, loop)
    path = _with_evidence_file(build, "loop.pcap")
    result = cli("validate", str(path))
    assert result.code == 3
    assert "evidence[0].file:" in result.stdout and "loop" in result.stdout


def test_requires_chain_3000_deep_validates(cli, build):
    tasks = [{"id": f"t{i}", "question": "q", "answer": {"type": "text", "expected": "x"},
              "solution": "x", "requires": [f"t{i - 1}"] if i else [], "max_attempts": 1}
             for i in range(3000)]
    path = build.scenario(tasks)
    result = cli("validate", str(path), "--json")
    assert result.code == 0, result.stdout[-500:]
    # one attempt each: every early task gates most points (was a cubic walk; now bit sets)
    first = json.loads(result.stdout)["problems"][0]
    assert first["field"] == "tasks[0].max_attempts"
    assert "gates 29990 of 30000 points (t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, and 2989 more)" \
        in first["message"]
    tasks[0]["requires"] = ["t2999"]
    result = cli("validate", str(build.scenario(tasks)))
    assert result.code == 3
    assert "prerequisites form a cycle: t0 -> t2999 -> t2998" in result.stdout


def test_answer_sheet_path_with_nul_byte(cli, build):
    result = cli("grade", str(build.scenario()), "--answers", "answers\0.yaml")
    assert result.code == 3
    assert "the path contains a NUL byte" in result.stderr


def test_answer_sheet_path_of_5000_characters_is_not_echoed(cli, build):
    long = "a" * 5000 + ".yaml"
    result = cli("grade", str(build.scenario()), "--answers", long)
    assert result.code == 3
    assert len(result.stderr) < 400 and "(5005 characters)" in result.stderr
    data = json.loads(cli("validate", long, "--json").stdout)
    assert len(json.dumps(data)) < 800


def test_facts_query_is_read_with_the_same_rules(cli):
    from helpers import PCAPS

    result = cli("facts", str(PCAPS / "cs_dns_axfr.pcapng"), "--query", laughs())
    assert result.code == 3 and "--query:" in result.stderr and "alias bomb" in result.stderr


@pytest.mark.parametrize("ref", ["x" * 5000, "x" * 5000 + ".yaml", "case\0.yaml"])
def test_scenario_reference_is_never_echoed_whole(cli, ref):
    result = cli("grade", ref, "--answers", "answers.yaml")
    assert result.code == 4 and len(result.stderr) < 400


@pytest.mark.parametrize("folder", ["d" * 5000, "answers\0dir"])
def test_class_grade_folder_path_is_never_echoed_whole(cli, folder):
    result = cli("class", "grade", "c1", "--answers", folder)
    assert result.code == 4 and len(result.stderr) < 400


def test_class_grade_refuses_an_alias_bomb_sheet(cli, build, tmp_path: Path):
    scenario = build.scenario()
    assert cli("class", "create", "c1", "--scenario", str(scenario), "--roster",
               str(_roster(tmp_path))).code == 0
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "alice.yaml").write_text("word: proof\nunused:\n" + laughs(indent=" "))
    result = cli("class", "grade", "c1", "--answers", str(folder))
    assert result.code == 3 and "alias bomb" in result.stderr
    assert f"{folder / 'alice.yaml'}:" in result.stderr


def _roster(tmp_path: Path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nalice,Alice A\n")
    return roster


@pytest.mark.timeout(60)
def test_yaml_that_is_not_a_regular_file_is_refused_without_blocking(cli, build):
    os.mkfifo(build.root / "scenarios" / "pipe.yaml")
    result = cli("validate", str(build.root / "scenarios"))
    assert result.code == 3 and "pipe.yaml:1: (file): not a regular file" in result.stdout
    graded = cli("grade", str(build.scenario()), "--answers", "/dev/zero")
    assert graded.code == 3 and "/dev/zero: not a regular file" in graded.stderr
