"""`dflab seal` works for every type the docs call sealable, into any folder (issue 8.2),
with a slow KDF whose parameters travel in the sealed string (issue 10.5)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from runner.checkers._seal import legacy_seal_value
from runner.checkers.base import matches_seal, seal_value
from runner.scenario.loader import load_scenario, validate_scenario
from runner.session.grading import grade

ARTIFACT = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SHA = hashlib.sha256(ARTIFACT).hexdigest()
# (task id, answer spec, right answer in another notation, wrong answer)
TASKS = [
    ("t-text", {"type": "text", "expected": "Evil Corp"}, "  evil   CORP ", "good corp"),
    ("t-int", {"type": "integer", "expected": 1000}, "1,000", "999"),
    ("t-num", {"type": "number", "expected": 23.09}, "23.09", "23.1"),
    ("t-ip", {"type": "ip", "expected": "172.16.0.8"}, "172.016.000.008", "172.16.0.9"),
    ("t-mac", {"type": "mac", "expected": "00:25:b3:bf:91:ee"}, "0025.b3bf.91ee",
     "00:25:b3:bf:91:ef"),
    ("t-domain", {"type": "domain", "expected": "example.com"}, "EXAMPLE.com.", "example.org"),
    ("t-url", {"type": "url", "expected": "http://a.example/x"}, "HTTP://a.example:80/x",
     "http://a.example/y"),
    ("t-hash", {"type": "hash", "expected": SHA}, f"sha256:{SHA.upper()}", "0" * 64),
    ("t-time", {"type": "timestamp", "expected": "2010-07-04T20:24:16Z"},
     "2010-07-04 22:24:16+02:00", "2010-07-04 20:24:18"),
    ("t-choice", {"type": "choice", "options": ["red", "green", "blue"], "expected": "green"},
     "b", "red"),
    ("t-set-ip", {"type": "set", "of": "ip", "expected": ["10.0.0.1", "10.0.0.2", "10.0.0.3"]},
     "10.0.0.3 10.0.0.1;010.0.0.2", "10.0.0.1, 10.0.0.9"),
    ("t-set-int", {"type": "set", "of": "integer", "expected": [22, 53, 80]},
     "22, 53, 80", "22, 53, 80, 113"),
    ("t-set-one", {"type": "set", "of": "text", "expected": ["alpha"]}, "Alpha", "beta"),
]


def _scenario(build) -> Path:
    ev = build.evidence()
    (build.root / "scenarios" / "out.png").write_bytes(ARTIFACT)
    tasks = [{"id": tid, "question": "q", "answer": spec, "solution": right}
             for tid, spec, right, _ in TASKS]
    tasks.append({"id": "t-file", "question": "q",
                  "answer": {"type": "artifact", "expected": SHA},
                  "solution": {"file": "out.png"}})
    return build.write({
        "schema_version": 1, "id": "every-type", "title": "Every sealable type",
        "lab": "network",
        "evidence": [{"file": ev.name, "sha256": hashlib.sha256(ev.read_bytes()).hexdigest()}],
        "tasks": tasks,
    })


def _sheets(folder: Path) -> list[dict[str, object]]:
    (folder / "out.png").write_bytes(ARTIFACT)
    (folder / "bad.png").write_bytes(ARTIFACT + b"!")
    right: dict[str, object] = {tid: r for tid, _, r, _ in TASKS} | {"t-file": {"file": "out.png"}}
    wrong: dict[str, object] = {tid: w for tid, _, _, w in TASKS} | {"t-file": {"file": "bad.png"}}
    return [right, wrong]


def test_every_sealable_type_seals_into_another_folder_and_grades_like_plain(
        cli, build, tmp_path):
    plain_path = _scenario(build)
    other = tmp_path / "published"
    other.mkdir()
    refused = cli("seal", str(plain_path), "--output", str(other / "sealed.yaml"),
                  "--keep-solutions")
    assert refused.code == 3 and "solution file out.png is not in" in refused.stderr
    assert "bug" not in refused.stderr and not (other / "sealed.yaml").exists()
    (other / "out.png").write_bytes(ARTIFACT)
    result = cli("seal", str(plain_path), "--output", str(other / "sealed.yaml"),
                 "--keep-solutions")
    assert result.code == 0, result.stderr
    assert "not sealed" not in result.stderr
    text = (other / "sealed.yaml").read_text()
    data = yaml.safe_load(text)
    # Evidence now points back at the same file from the new folder.
    assert data["evidence"][0]["file"] == "../authoring/scenarios/notes.txt"
    assert data["tasks"][-1]["solution"]["file"] == "out.png"
    for task in data["tasks"]:
        expected = task["answer"]["expected"]
        for value in expected if isinstance(expected, list) else [expected]:
            assert str(value).startswith("sealed:scrypt:n=16384,r=8,p=1:"), task["id"]
    assert "Evil Corp" not in text and "172.16.0.8" not in text
    plain, sealed = load_scenario(plain_path), load_scenario(other / "sealed.yaml")
    sheet_dir = tmp_path / "sheet"
    sheet_dir.mkdir()
    for sheet in _sheets(sheet_dir):
        a = [r.as_dict() for r in grade(plain, sheet, sheet_dir)]
        b = [r.as_dict() for r in grade(sealed, sheet, sheet_dir)]
        assert [(r["status"], r["earned"]) for r in a] == [(r["status"], r["earned"]) for r in b]
    assert {r["status"] for r in a} <= {"wrong", "partial"}
    verify = cli("verify", str(other / "sealed.yaml"), "--json")
    assert json.loads(verify.stdout)["ok"], verify.stdout


def test_sealed_set_members_share_one_salt_per_task(build):
    plain = load_scenario(_scenario(build))
    from runner.scenario.seal import seal_text

    data = yaml.safe_load(seal_text(plain).text)
    members = next(t for t in data["tasks"] if t["id"] == "t-set-ip")["answer"]["expected"]
    assert len({m.split(":")[3] for m in members}) == 1  # the salt
    assert len(set(members)) == 3


def test_seal_refuses_a_missing_output_folder_without_calling_it_a_bug(cli, build, tmp_path):
    result = cli("seal", str(_scenario(build)), "--output", str(tmp_path / "nope" / "s.yaml"))
    assert result.code == 3
    assert "does not exist" in result.stderr and "bug" not in result.stderr


def test_seal_of_a_broken_scenario_reports_the_problem_not_a_bug(cli, build):
    path = build.write("schema_version: 1\nid: x\ntitel: t\ntasks: []\n", name="bad.yaml")
    result = cli("seal", str(path))
    assert result.code == 3 and "title" in result.stderr and "bug" not in result.stderr


def test_kdf_parameters_live_in_the_sealed_string():
    cheap = seal_value("22", "salt", n=2**10, r=8, p=1)
    assert cheap.startswith("sealed:scrypt:n=1024,r=8,p=1:salt:")
    assert matches_seal("22", cheap) and not matches_seal("23", cheap)
    assert not matches_seal("22", cheap.replace("n=1024", "n=2048"))


def test_old_sha256_seals_still_judge_and_validate_says_reseal(build):
    path = build.scenario(tasks=[{
        "id": "a", "question": "q", "solution": "x",
        "answer": {"type": "text", "expected": legacy_seal_value("x", "abc")}}])
    loaded, problems = validate_scenario(path)
    assert loaded is not None
    assert any("brute-force" in p.message and p.severity == "warning" for p in problems)
    assert grade(loaded, {"a": "X"}, path.parent)[0].verdict.status.value == "correct"


def test_a_damaged_or_too_costly_seal_is_a_load_error(build):
    good = seal_value("x", "abc", n=2**10)
    for bad in (good[:-2], good.replace("n=1024", "n=1000"), good.replace("n=1024", "n=4194304")):
        path = build.scenario(tasks=[{"id": "a", "question": "q", "solution": "x",
                                      "answer": {"type": "text", "expected": bad}}])
        loaded, problems = validate_scenario(path)
        assert loaded is None and any("sealed key" in p.message for p in problems), bad
