#!/usr/bin/env python3
"""A classroom under load: 40 seats started, idle memory, then 40 clients answering for 30 s.

In one run on the same engine it prints: the time to start N seats with
``dflab class start`` beside N bare ``docker run -d IMAGE sleep infinity`` (the
floor), memory per idle seat beside the floor, then N concurrent clients (one
per seat, on each seat's own socket, through a real ``dflab class serve``
process) each sending ``lab answer`` requests back to back for ``--seconds``:
answers per second, p50/p99 latency, and lost or duplicated attempts (what the
clients saw accepted against what the store holds; must be 0). Targets: N=40
started in < 30 s, p99 < 200 ms. Everything it starts is removed at the end.
This is a measuring tool (``make bench-class``), not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from runner.backends import images
from runner.classroom.lifecycle import create_class, start_class
from runner.classroom.roster import parse_roster
from runner.classroom.store import ClassStore
from runner.session.labclient import LabError, request
from runner.session.labspec import service_dir
from runner.session.runtime import existing_session

IMAGE = "dflab/lab-network:latest"
ROOT = Path(__file__).resolve().parent.parent


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True,
                          text=True).stdout


def memory_mb(names: list[str]) -> float:
    """Mean memory of containers as ``docker stats`` shows it (usage minus page cache)."""
    out = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", *names)
    units = {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "B": 1 / 2**20}
    values = []
    for line in out.splitlines():
        used = line.split("/")[0].strip()
        unit = next(u for u in units if used.endswith(u))
        values.append(float(used[: -len(unit)]) * units[unit])
    return statistics.mean(values) if values else 0.0


def floor(n: int, parallel: int) -> tuple[float, float]:
    """Seconds to start ``n`` bare containers, and their mean idle memory."""
    names = [f"dflab-bench-floor-{os.getpid()}-{i}" for i in range(n)]
    began = time.monotonic()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda name: docker("run", "-d", "--name", name, "--network", "none",
                                          IMAGE, "sleep", "infinity"), names))
    took = time.monotonic() - began
    time.sleep(2)
    mem = memory_mb(names)
    docker("rm", "-f", *names)
    return took, mem


def client(sock: str, until: float, seen: list[float], accepted: list[int]) -> None:
    """One seat answering a task with no attempt limit, wrongly, as fast as it can."""
    while time.monotonic() < until:
        began = time.perf_counter()
        try:
            request({"op": "answer", "task": "ports-probed", "value": "7"}, sock)
        except LabError:
            continue
        seen.append(time.perf_counter() - began)
        accepted[0] += 1


def load(home: Path, name: str, seconds: float) -> dict[str, float]:
    classes = ClassStore.open(home)
    labs = [lab for lab in classes.labs(name) if lab.session_id]
    classes.close()
    socks = [str(service_dir(home, lab.session_id) / "lab.sock") for lab in labs]
    results: list[tuple[list[float], list[int]]] = [([], [0]) for _ in socks]
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(s, until, *r))
               for s, r in zip(socks, results, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies = sorted(x for r in results for x in r[0])
    classes = ClassStore.open(home)
    stored = [len(classes.store.attempts(lab.session_id)) for lab in labs]
    classes.close()
    wrong = sum(abs(s - r[1][0]) for s, r in zip(stored, results, strict=True))
    return {"answers": len(latencies), "per_second": len(latencies) / seconds,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
            "lost_or_duplicated": wrong}


def serve(home: Path, name: str, rate: int) -> subprocess.Popen[bytes]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "runner.cli", "--home", str(home), "class",
                             "serve", name, "--port", str(port), "--rate", str(rate)],
                            cwd=ROOT, stderr=subprocess.DEVNULL)
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seats", type=int, default=40)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--rate", type=int, default=1_000_000, help="answers/min/seat in the bench")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    images.build_images(["network"])
    home = Path(tempfile.mkdtemp(prefix="dflab-bench-class-"))
    report: dict[str, object] = {"seats": args.seats, "parallel": args.parallel}
    report["floor_start_s"], report["floor_mem_mb"] = floor(args.seats, args.parallel)
    roster = "id,name\n" + "".join(f"s{i:03d},Seat {i}\n" for i in range(args.seats))
    create_class(home, "bench", [ROOT / "scenarios" / "port-scan-triage.yaml"],
                 parse_roster(roster), None)
    proc = None
    try:
        began = time.monotonic()
        outcomes = start_class(home, "bench", parallel=args.parallel)
        report["start_s"] = round(time.monotonic() - began, 2)
        report["start_failed"] = sum(1 for o in outcomes if o.error)
        time.sleep(2)
        report["seat_mem_mb"] = memory_mb([f"dflab-{o.session_id}" for o in outcomes])
        proc = serve(home, "bench", args.rate)
        report["serve_rate_per_minute"] = args.rate
        report.update(load(home, "bench", args.seconds))
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        classes = ClassStore.open(home)
        for lab in classes.labs("bench"):
            if lab.session_id:
                running = existing_session(home, lab.session_id)
                running.backend.stop(running.handle, remove_work=True)
        classes.close()
    figures = {k: round(v, 2) if isinstance(v, float) else v for k, v in report.items()}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        Console().print(_table(figures))
    return 0


def _table(r: dict[str, Any]) -> Table:
    table = Table(title=f"Classroom: {r['seats']} seats (answers at {r['serve_rate_per_minute']:,}"
                  "/min/seat allowed)")
    for col in ("measure", "dflab", "floor", "target"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row("start all seats (s)", f"{r['start_s']}", f"{r['floor_start_s']}", "< 30")
    table.add_row("memory per idle seat (MB)", f"{r['seat_mem_mb']}", f"{r['floor_mem_mb']}", "")
    table.add_row("answers per second", f"{r['per_second']}", "", "")
    table.add_row("answer latency p50 (ms)", f"{r['p50_ms']}", "", "")
    table.add_row("answer latency p99 (ms)", f"{r['p99_ms']}", "", "< 200")
    table.add_row("lost or duplicated answers", f"{r['lost_or_duplicated']}", "", "0")
    table.caption = "floor: the same number of plain 'docker run -d IMAGE sleep infinity'"
    return table


if __name__ == "__main__":
    sys.exit(main())
