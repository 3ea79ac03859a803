#!/usr/bin/env python3
"""How validation grows with the number of tasks, against parsing the same file alone.

Writes scenarios of N tasks (each requiring the one before with one attempt, the
worst case for the prerequisite checks), times what ``dflab validate`` does without
evidence queries (``validate_scenario`` and the gating warnings) and, as the
reference measured in the same run, a bare libyaml parse of the same file. Linear
validation keeps the per-task cost flat as N grows. No assertions: a measuring
tool (``make bench-validate``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from rich.console import Console
from rich.table import Table

from runner.scenario.gating import gating_warnings
from runner.scenario.loader import validate_scenario


def write_scenario(folder: Path, tasks: int) -> Path:
    evidence = folder / "notes.txt"
    evidence.write_bytes(b"hello evidence\n")
    data: dict[str, Any] = {
        "schema_version": 1, "id": f"bench-{tasks}", "title": "Bench",
        "evidence": [{"file": "notes.txt",
                      "sha256": hashlib.sha256(evidence.read_bytes()).hexdigest()}],
        "tasks": [{"id": f"t{i}", "question": f"Question {i}?", "points": 1,
                   "answer": {"type": "text", "expected": f"answer {i}"},
                   "solution": f"answer {i}", "requires": [f"t{i - 1}"] if i else [],
                   "max_attempts": 1}
                  for i in range(tasks)],
    }
    path = folder / f"bench-{tasks}.yaml"
    # one task per line (flow style) keeps the file small and quick to write
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=10_000), encoding="utf-8")
    return path


def best_of(runs: int, func: Any) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(sizes: list[int], runs: int) -> list[dict[str, float]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="dflab-bench-validate-") as tmp:
        for tasks in sizes:
            path = write_scenario(Path(tmp), tasks)
            text = path.read_text(encoding="utf-8")
            loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            parse = best_of(runs, lambda t=text, ld=loader: yaml.load(t, Loader=ld))
            loaded, problems = validate_scenario(path)
            assert loaded is not None, [p.one_line() for p in problems][:3]
            validate = best_of(runs, lambda p=path: gating_warnings(validate_scenario(p)[0]))
            rows.append({"tasks": tasks, "validate_s": validate, "parse_s": parse,
                         "ratio": validate / parse, "us_per_task": validate / tasks * 1e6})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000", help="task counts (comma-separated)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure([int(s) for s in args.sizes.split(",")], args.runs)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title="dflab validate vs a bare libyaml parse of the same file")
    for name in ("tasks", "validate (s)", "libyaml parse (s)", "ratio", "µs per task"):
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(f"{row['tasks']:,}", f"{row['validate_s']:.2f}", f"{row['parse_s']:.2f}",
                      f"{row['ratio']:.1f}x", f"{row['us_per_task']:.0f}")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
