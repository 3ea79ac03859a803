"""Trainer commands: validate, verify, grade, seal, schema, checkers."""

from __future__ import annotations

import json

import jsonschema
import yaml


def test_validate_reports_every_problem_in_every_file(cli, build):
    good = build.scenario()
    bad = build.write("schema_version: 1\nid: x\ntitel: t\ntasks: []\n", name="bad.yaml")
    worse = build.write("id: [\n", name="worse.yaml")
    result = cli("validate", str(good), str(bad), str(worse))
    assert result.code == 3
    assert f"{bad}:3: titel: unknown key 'titel' (fix: did you mean 'title'?)" in result.stdout
    assert f"{worse}:" in result.stdout and "YAML syntax error" in result.stdout
    assert "3 file(s)" in result.stdout
    data = json.loads(cli("validate", str(bad), "--json").stdout)
    assert {p["line"] for p in data["problems"]} == {1, 3, 4}


def test_verify_and_grade(cli, build, tmp_path):
    scenario = build.scenario()
    assert cli("verify", str(scenario)).code == 0
    sheet = tmp_path / "answers.yaml"
    sheet.write_text("word: Proof\nfinal: nope\n")
    result = cli("grade", str(scenario), "--answers", str(sheet), "--json")
    data = json.loads(result.stdout)
    assert [t["status"] for t in data["tasks"]] == ["correct", "wrong"]
    assert data["total"] == {"score": 10, "max_score": 20, "percent": 50.0, "solved": 1,
                             "total": 2, "hints": 0, "attempts": 2}
    sheet.write_text("nosuch: 1\n")
    bad = cli("grade", str(scenario), "--answers", str(sheet))
    assert bad.code == 3 and "unknown task id 'nosuch'" in bad.stderr
    assert f"{sheet}: unknown task id" in bad.stderr  # the file, not its folder (issue 8.7)


def test_verify_fails_when_a_solution_is_wrong(cli, build):
    tasks = [{"id": "a", "question": "q", "answer": {"type": "text", "expected": "x"},
              "solution": "y"}]
    assert cli("verify", str(build.scenario(tasks=tasks))).code == 1


def test_seal_keeps_comments_and_judges_identically(cli, build, tmp_path):
    scenario = build.scenario()
    text = scenario.read_text()
    scenario.write_text("# trainer's note: keep me\n" + text)
    sealed = tmp_path / "sealed.yaml"
    (tmp_path / "notes.txt").write_bytes((build.root / "scenarios" / "notes.txt").read_bytes())
    assert cli("seal", str(scenario), "--output", str(sealed)).code == 0
    out = sealed.read_text()
    assert out.startswith("# trainer's note: keep me")
    assert "evidence" not in yaml.safe_load(out)["tasks"][0]["answer"]["expected"][0]
    assert "sealed:scrypt:" in out and "solution: null" in out
    sheet = tmp_path / "answers.yaml"
    sheet.write_text("word: '  PROOF'\nfinal: done\n")
    for path in (scenario, sealed):
        data = json.loads(cli("grade", str(path), "--answers", str(sheet), "--json").stdout)
        assert data["total"]["percent"] == 100.0


def test_schema_is_valid_and_accepts_a_scenario(cli, build):
    schema = json.loads(cli("schema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = yaml.safe_load(build.scenario().read_text())
    jsonschema.validate(doc, schema)
    doc["tasks"][0]["answer"]["colour"] = "blue"
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(doc))


def test_checkers_lists_types_with_parameters(cli):
    data = json.loads(cli("checkers", "--json").stdout)
    names = {c["name"] for c in data["checkers"]}
    assert {"text"} <= names
    text = next(c for c in data["checkers"] if c["name"] == "text")
    assert text["params"][0]["name"] == "case_sensitive"
    # Issue 8.7: a parameter with a default factory showed 'PydanticUndefined'.
    item = next(p for c in data["checkers"] if c["name"] == "set" for p in c["params"]
                if p["name"] == "item")
    assert item["default"] == "{}"
    assert "Undefined" not in cli("checkers").stdout


def test_usage_errors_are_one_line(cli):
    result = cli("start", "--backend", "nowhere")
    assert result.code == 2 and "invalid choice" in result.stderr
    missing = cli("start", "no-such-scenario", "--backend", "local")
    assert missing.code == 4 and missing.stderr.count("\n") == 1
