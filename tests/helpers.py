"""Test builders: scenarios written to disk, and one helper that runs the CLI."""

from __future__ import annotations

import hashlib
import io
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from runner.cli.context import Ctx
from runner.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
PCAPS = ROOT / "pcaps"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


class CliRunner:
    """Runs ``dflab`` in-process with captured streams and a fixed terminal width."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        full_env = {**os.environ, "DFLAB_HOME": str(self.home), "NO_COLOR": "1", **(env or {})}
        ctx = Ctx(stdout=out, stderr=err, stdin=io.StringIO(), env=full_env, width=120)
        code = main(list(args), ctx)
        return Result(int(code), out.getvalue(), err.getvalue())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class ScenarioBuilder:
    """Writes small scenarios with real evidence files into a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "scenarios").mkdir(parents=True, exist_ok=True)

    def evidence(self, name: str = "notes.txt", content: bytes = b"hello evidence\n") -> Path:
        path = self.root / "scenarios" / name
        path.write_bytes(content)
        return path

    def write(self, data: dict[str, Any] | str, name: str = "case.yaml") -> Path:
        path = self.root / "scenarios" / name
        if isinstance(data, str):
            path.write_text(textwrap.dedent(data), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                            encoding="utf-8")
        return path

    def scenario(self, tasks: list[dict[str, Any]] | None = None, **extra: Any) -> Path:
        """A valid scenario over one text evidence file; override parts with ``extra``."""
        ev = self.evidence()
        data: dict[str, Any] = {
            "schema_version": 1, "id": "mini-case",
            "title": {"en": "Mini case", "uk": "Міні-справа"},
            "lab": "network",
            "evidence": [{"file": ev.name, "sha256": sha256(ev)}],
            "tasks": tasks or [
                {"id": "word", "question": {"en": "Which word follows 'hello'?",
                                            "uk": "Яке слово йде після 'hello'?"},
                 "points": 10, "answer": {"type": "text", "expected": ["evidence", "proof"]},
                 "hints": [{"text": "Read the file.", "cost": 2}], "max_attempts": 3,
                 "solution": "evidence"},
                {"id": "final", "question": "Type 'done'.", "requires": ["word"],
                 "answer": {"type": "text", "expected": "done"}, "solution": "done"},
            ],
        }
        data.update(extra)
        return self.write(data)


def hammer_store(db: str, session_id: str, worker: int, count: int) -> None:
    """Write ``count`` attempts from a separate process (concurrency tests)."""
    from runner.session.store import Store

    store = Store(Path(db))
    for i in range(count):
        store.add_attempt(session_id, f"task{worker}", kind="answer", raw=f"{worker}-{i}",
                          normalized=None, status="wrong", score=0.0, feedback="", counted=True,
                          limit=None)
    store.close()


def laughs(levels: int = 9, indent: str = "") -> str:
    """The billion-laughs YAML: ``levels`` anchors, each nine aliases of the one before."""
    lines = [f'{indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        refs = ",".join([f"*l{n - 1}"] * 9)
        lines.append(f"{indent}l{n}: &l{n} [{refs}]")
    return "\n".join(lines) + "\n"


def verified_variants(cli: CliRunner, scenario: Path, count: int = 20) -> list[dict[str, Any]]:
    """``dflab verify SCENARIO --variants N``: every variant passed and each has its own
    evidence; the variants' rows, for what a scenario's own test checks further."""
    import json

    result = cli("verify", str(scenario), "--variants", str(count), "--json")
    report = json.loads(result.stdout)["scenarios"][0]
    assert result.code == 0, [v["problems"] for v in report["variants"] if not v["ok"]]
    assert len(report["variants"]) == count and report["failed"] == 0
    assert len({tuple(sorted(v["sha256"].values())) for v in report["variants"]}) == count
    rows: list[dict[str, Any]] = report["variants"]
    return rows
