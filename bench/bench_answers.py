#!/usr/bin/env python3
"""How long each checker takes to normalise a megabyte-sized hostile answer.

The answer socket caps an answer at ``MAX_ANSWER_BYTES``; a trainee may still
send that much of anything. For each text checker and each shape of answer,
prints the time to normalise it beside the reference measured in the same run
(one linear pass: ``raw.split()`` over the same text) and their ratio. Target:
every normalisation under 1 s on a CI machine. No assertions: this is a
measuring tool (``make bench-answers``); the tests check correctness only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runner.checkers import BUILTIN_MODULES, registry
from runner.checkers.base import InvalidAnswer

SHAPES = {"digits": "1" * 1_000_000, "replacement-chars": "\ufffd" * 300_000,
          "many-members": "10.0.0.1, " * 100_000, "one-line": "a" * 999_999 + "\n"}
PARAMS: dict[str, dict[str, object]] = {"choice": {"options": ["TCP", "UDP", "ICMP"]},
                                      "set": {"of": "ip"}, "ip": {"cidr": True}}


def _best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def measure(repeat: int) -> list[dict[str, object]]:
    rows = []
    for name in BUILTIN_MODULES:
        checker = registry().get(name)
        if not checker.accepts_text:
            continue
        params = checker.parse_params(PARAMS.get(name, {}))
        for shape, raw in SHAPES.items():
            def normalise(raw: str = raw, checker: Any = checker, params: Any = params) -> None:
                with contextlib.suppress(InvalidAnswer):  # refusing is an answer too
                    checker.normalize(raw, params)
            seconds = _best(normalise, repeat)
            reference = _best(raw.split, repeat)
            rows.append({"checker": name, "answer": shape, "seconds": round(seconds, 4),
                         "reference_split_seconds": round(reference, 4),
                         "ratio": round(seconds / reference, 1) if reference else None})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.repeat)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'checker':<10} {'answer':<18} {'seconds':>8} {'split() s':>9} {'ratio':>7}")
    for r in rows:
        print(f"{r['checker']:<10} {r['answer']:<18} {r['seconds']:>8} "
              f"{r['reference_split_seconds']:>9} {r['ratio']:>7}")
    slowest = max(rows, key=lambda r: float(str(r["seconds"])))
    print(f"slowest: {slowest['checker']} on {slowest['answer']}: {slowest['seconds']} s "
          "(target < 1 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
