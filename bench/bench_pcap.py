#!/usr/bin/env python3
"""Benchmark dflab's all-analyzer pass against tshark on one generated capture.

Runs, one after the other on the same file, each in its own process:

* dflab: the full pass with every analyzer (``runner.evidence.engine.analyze``);
* ``tshark -r FILE -T fields -e frame.number -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport``;
* ``tshark -r FILE -q -z conv,tcp``;
* ``tshark -r FILE -q --export-objects http,DIR``;

and prints wall time, packets per second, peak memory (the child's max RSS from
``wait4``) and each tool's time relative to dflab, as a rich table.

    python bench/bench_pcap.py --packets 200000          # quick: generates if missing
    python bench/bench_pcap.py --capture big.pcap         # an existing capture
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # generated captures are kept here (gitignored) for the next run
# The pass may use a worker process: report the peaks of both, summed (an upper bound
# of what the two held at once; wait4 alone would give only the larger of the two).
DFLAB = (
    "import sys, resource; from pathlib import Path; from runner.evidence.engine import analyze; "
    "f = analyze(Path(sys.argv[1])); print(f.packets, file=sys.stderr); "
    "print(sum(resource.getrusage(w).ru_maxrss "
    "for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))"
)


def measure(cmd: list[str], *, reports_peak: bool = False) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB).

    The peak is the child's own (``wait4``), or, with ``reports_peak``, the KiB
    figure the child prints last on stdout (dflab: main process plus worker).
    """
    start = time.perf_counter()
    out = subprocess.PIPE if reports_peak else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
    printed = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    kib = int(printed.split()[-1]) if reports_peak else usage.ru_maxrss  # Linux reports KiB
    return wall, kib / 1024


def count_packets(capture: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from runner.evidence.reader import iter_records

    return sum(1 for _ in iter_records(capture))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capture", type=Path, help="capture to use (default: generate one)")
    parser.add_argument("--packets", type=int, default=200_000, help="size when generating")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--no-tshark", action="store_true", help="time dflab only")
    args = parser.parse_args(argv)
    capture = args.capture or OUT / f"dflab-bench-{args.packets}-{args.seed}.pcap"
    if not capture.exists():
        capture.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_capture.py"), "--packets",
                        str(args.packets), "--seed", str(args.seed), "--out", str(capture)],
                       check=True)  # fmt: skip
    packets = count_packets(capture)
    runs: list[tuple[str, list[str]]] = [
        ("dflab all analyzers", [sys.executable, "-c", DFLAB, str(capture)])
    ]
    tmp = Path(tempfile.mkdtemp(prefix="dflab-bench-objects-"))
    if not args.no_tshark and shutil.which("tshark"):
        five = ["-T", "fields", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst",
                "-e", "tcp.srcport", "-e", "tcp.dstport"]  # fmt: skip
        runs += [
            ("tshark 5-tuple fields", ["tshark", "-n", "-r", str(capture), *five]),
            ("tshark -z conv,tcp", ["tshark", "-n", "-r", str(capture), "-q", "-z", "conv,tcp"]),
            ("tshark --export-objects http", ["tshark", "-n", "-r", str(capture), "-q",
                                              "--export-objects", f"http,{tmp}"]),
        ]  # fmt: skip
    results = [(name, *measure(cmd, reports_peak=name.startswith("dflab"))) for name, cmd in runs]
    shutil.rmtree(tmp, ignore_errors=True)
    size_mb = capture.stat().st_size / 1e6
    table = Table(title=f"{capture.name}: {packets:,} packets, {size_mb:,.0f} MB")
    for column in ("tool", "wall s", "packets/s", "peak MB", "time vs dflab"):
        table.add_column(column, justify="left" if column == "tool" else "right")
    base = results[0][1]
    for name, wall, peak in results:
        table.add_row(
            name, f"{wall:.2f}", f"{packets / wall:,.0f}", f"{peak:,.0f}", f"{wall / base:.2f}x"
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
