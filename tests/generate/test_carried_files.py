"""Artifact tasks on generated evidence: the file a story puts on the wire is kept beside
the variant (never in the lab), so the reference solution hands in that very file and
`dflab verify` self-tests the task per variant; a trainee's rebuilt file is judged by the
variant's own hash."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import CliRunner

ROOT = Path(__file__).resolve().parents[2]
HASH_TASK = """      type: hash
      algorithm: sha256
      expected: {story: tunnel.sha256}"""
ARTIFACT_TASK = """      type: artifact
      file_type: pdf
      expected: {story: tunnel.sha256}"""


@pytest.fixture
def artifact_copy(tmp_path: Path) -> Path:
    """icmp-exfil whose last task wants the rebuilt file itself, not its hash."""
    (tmp_path / "scenarios" / "stories").mkdir(parents=True)
    shutil.copytree(ROOT / "labs", tmp_path / "labs")
    shutil.copy(ROOT / "scenarios" / "stories" / "icmp-exfil.yaml",
                tmp_path / "scenarios" / "stories")
    text = (ROOT / "scenarios" / "icmp-exfil.yaml").read_text(encoding="utf-8")
    assert HASH_TASK in text and 'solution: "{{tunnel.sha256}}"' in text
    text = text.replace(HASH_TASK, ARTIFACT_TASK).replace(
        'solution: "{{tunnel.sha256}}"', 'solution: {file: "{{tunnel.path}}"}')
    path = tmp_path / "scenarios" / "icmp-exfil.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_verify_hands_in_each_variants_own_file(artifact_copy: Path, cli: CliRunner) -> None:
    assert cli("validate", str(artifact_copy)).code == 0
    result = cli("verify", str(artifact_copy), "--variants", "3", "--json")
    report = json.loads(result.stdout)["scenarios"][0]
    assert result.code == 0, [v["problems"] for v in report["variants"]]
    assert [v["percent"] for v in report["variants"]] == [100.0] * 3


def test_variant_sheet_carries_the_file_and_the_lab_never_sees_it(
        artifact_copy: Path, cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "v"
    assert cli("variant", str(artifact_copy), "--seed", "3", "--out", str(out)).code == 0
    sheet = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    handed = out / sheet["leaked-file"]["file"]
    assert handed.read_bytes().startswith(b"%PDF")
    values = json.loads((out / "variant.json").read_text(encoding="utf-8"))["values"]
    assert hashlib.sha256(handed.read_bytes()).hexdigest() == values["tunnel"]["sha256"]
    assert values["tunnel"]["path"] == f"carried/{handed.name}"
    graded = json.loads(cli("grade", str(artifact_copy), "--seed", "3", "--answers",
                            str(out / "answers.yaml"), "--json").stdout)
    assert graded["total"]["percent"] == 100.0
    # another seat's file is wrong for this variant
    other = tmp_path / "w"
    assert cli("variant", str(artifact_copy), "--seed", "4", "--out", str(other)).code == 0
    shutil.copy(next((other / "carried").iterdir()), tmp_path / "copied.pdf")
    sheet["leaked-file"] = {"file": "copied.pdf"}
    (tmp_path / "copied.yaml").write_text(yaml.safe_dump(sheet), encoding="utf-8")
    graded = json.loads(cli("grade", str(artifact_copy), "--seed", "3", "--answers",
                            str(tmp_path / "copied.yaml"), "--json").stdout)
    verdicts = {r["task"]: r["status"] for r in graded["tasks"]}
    assert verdicts["leaked-file"] == "wrong"
    # a lab of this variant gets the evidence files only (the carried copy stays outside),
    # and the trainee's rebuilt file is judged by this variant's hash
    carried = next((out / "carried").iterdir())
    answers = "".join(f"lab answer {task} {shlex.quote(str(value))} >/dev/null; "
                      for task, value in sheet.items() if task != "leaked-file")
    script = (f'ls -A "$EVIDENCE"; {answers}cp {carried} "$WORK/rebuilt.pdf"; '
              'lab submit leaked-file "$WORK/rebuilt.pdf"')
    started = cli("start", str(artifact_copy), "--backend", "local", "--seed", "3",
                  "--run", script, "--remove")
    assert started.code == 0, started.stderr
    assert started.stdout.split()[0] == "design-office.pcap"
    assert "carried" not in started.stdout and "variant.json" not in started.stdout
    assert "CORRECT — task leaked-file: 25/25 points" in started.stdout
