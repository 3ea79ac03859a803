#!/usr/bin/env python3
"""What one check against a sealed key costs, beside the old single SHA-256 it replaced.

Prints, from one run on this machine: the median time of one scrypt check at
dflab's sealing parameters (what a trainee's answer costs the host, and what one
guess costs someone brute-forcing a sealed file), the median of one salted
SHA-256 (the old seal), their ratio, and how long trying every value of a few
answer spaces would take on one core. No assertions: a measuring tool
(``make bench-seal``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from runner.checkers import _seal

SPACES = {
    "a TCP/UDP port (integer)": 65_536,
    "a choice of 5 options": 5,
    "an IPv4 address in one /16": 65_536,
    "any IPv4 address": 2**32,
}


def median_seconds(fn: object, rounds: int) -> float:
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        fn(str(i))  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n, r, p = _seal.DEFAULT_N, _seal.DEFAULT_R, _seal.DEFAULT_P
    # Distinct inputs each round: the cache must not answer for the KDF.
    scrypt = median_seconds(lambda v: _seal._derive(f"bench-{time.time_ns()}-{v}", "salt",
                                                    n, r, p), args.rounds)
    sha = median_seconds(lambda v: _seal.legacy_seal_value(v, "salt"), args.rounds * 100)
    result = {"scrypt_params": {"n": n, "r": r, "p": p, "memory_mib": 128 * n * r // 2**20},
              "scrypt_check_ms": scrypt * 1000, "sha256_check_ms": sha * 1000,
              "ratio": scrypt / sha if sha else None,
              "brute_force_one_core_s": {k: v * scrypt for k, v in SPACES.items()}}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    table = Table(title=f"sealed-key check (scrypt n={n}, r={r}, p={p}, "
                  f"{result['scrypt_params']['memory_mib']} MiB)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("one scrypt check (median)", f"{scrypt * 1000:.1f} ms")
    table.add_row("one salted SHA-256, the old seal (reference)", f"{sha * 1e6:.2f} µs")
    table.add_row("ratio", f"{scrypt / sha:,.0f}x")
    for name, size in SPACES.items():
        table.add_row(f"every value of {name}, one core", f"{size * scrypt:,.0f} s")
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
