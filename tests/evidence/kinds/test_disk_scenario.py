"""A scenario over a disk image: its answer keys are computed from the image's facts
when a session starts, with provenance, and `dflab validate` accepts it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers import CliRunner, ScenarioBuilder, sha256

from evidence.kinds.conftest import MakeFat
from runner.scenario.loader import load_scenario
from runner.session.keys import resolve_keys

SECRET = b"wire 20k to account 4411\n" * 80


def test_keys_come_from_the_disk_image(tmp_path: Path, make_fat: MakeFat) -> None:
    image = make_fat({"mail/draft.txt": SECRET, "readme.txt": b"hi\n"},
                     deleted=("mail/draft.txt",))
    build = ScenarioBuilder(tmp_path / "case")
    stick = build.evidence("stick.img", image.read_bytes())
    tasks = [
        {"id": "deleted", "question": "Which file was deleted?",
         "answer": {"type": "text", "expected": {
             "from": "disk.files", "where": {"deleted": True, "dir": False,
                                             "type": "r/r"}, "select": "path"}},
         "solution": "mail/_raft.txt"},
        {"id": "hash", "question": "SHA-256 of the deleted file's content?",
         "answer": {"type": "hash", "expected": {
             "from": "disk.files", "where": {"deleted": True, "type": "r/r"},
             "select": "sha256"}},
         "solution": "sha256"},
        {"id": "label", "question": "Volume label?",
         "answer": {"type": "text", "expected": {"from": "disk.volumes", "select": "label"}},
         "solution": "EVIDENCE"},
    ]
    path = build.scenario(tasks, lab="disk",
                          evidence=[{"file": stick.name, "sha256": sha256(stick)}])
    keys = resolve_keys(load_scenario(path), cache_dir=tmp_path / "cache")
    assert keys["deleted"][0].values == ("mail/_raft.txt",)
    assert keys["hash"][0].values == (hashlib.sha256(SECRET).hexdigest(),)
    assert keys["label"][0].values == ("EVIDENCE",)
    provenance = keys["hash"][1]
    assert (provenance["source"], provenance["kind"], provenance["table"]) == \
        ("evidence", "disk", "disk.files")
    result = CliRunner(tmp_path / "home")("validate", str(path), "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)
