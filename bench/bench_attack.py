#!/usr/bin/env python3
"""The attacks of issue 10, measured: what one trainee can cost the host.

``flood``: seat B's answer latency (p50/p99 over 200 answers) on its own, then
while seat A holds thousands of idle connections to its lab socket; also the
process's thread count and how many of A's connections were turned away.
``answers``: the cost of one answer at 200 and at 19,000 stored attempts (the
answer path must not grow with the attempts).
``capture``: peak memory (RSS high-water mark, in a child process) to judge a
crafted 64 MB capture of 4.19 M empty records, beside reading that capture
whole the old way (``list(iter_packets())``).
This is a measuring tool (``make bench-attack``), not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.scenario.loader import load_scenario  # noqa: E402
from runner.session.keys import key_to_json, resolve_keys  # noqa: E402
from runner.session.server import ServiceThread  # noqa: E402
from runner.session.service import SessionService  # noqa: E402
from runner.session.store import Store  # noqa: E402

SCENARIO = ROOT / "scenarios" / "port-scan-triage.yaml"
OPEN_TASK = "ports-probed"  # an integer task with no attempt limit: every answer is judged


def service(db: Path, name: str) -> SessionService:
    loaded = load_scenario(SCENARIO)
    store = Store(db)
    sid = store.create_session(scenario_id=loaded.id, scenario_path=str(loaded.path),
                               scenario_sha256=loaded.sha256, title=name, lang="en",
                               trainee=name, backend="local")
    store.save_keys(sid, {t: (key_to_json(k), p) for t, (k, p) in resolve_keys(loaded).items()})
    return SessionService(store, sid, loaded, None, rate_per_minute=10**9)


def ask(path: Path, payload: dict[str, Any]) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(str(path))
        sock.sendall((json.dumps({"v": 1, **payload}) + "\n").encode())
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    reply: dict[str, Any] = json.loads(data)
    return reply


def latencies(path: Path, task: str, count: int) -> list[float]:
    out = []
    for i in range(count):
        start = time.perf_counter()
        reply = ask(path, {"op": "answer", "task": task, "value": str(100_000 + i)})
        out.append((time.perf_counter() - start) * 1000)
        if not reply["ok"] and "no attempts left" not in reply["error"]:
            raise SystemExit(f"answer failed: {reply}")
    return out


def flood(path: Path, stop: threading.Event, held: list[socket.socket], target: int) -> None:
    while not stop.is_set():
        if len(held) >= target:
            time.sleep(0.01)
            continue
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect(str(path))
            held.append(sock)
        except OSError:
            sock.close()
            time.sleep(0.001)


def bench_flood(connections: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        a = ServiceThread(service(Path(tmp) / "a.db", "a"), Path(tmp) / "a" / "lab.sock",
                          log=lambda _: None)
        b_service = service(Path(tmp) / "b.db", "b")
        b = ServiceThread(b_service, Path(tmp) / "b" / "lab.sock", log=lambda _: None)
        task = OPEN_TASK
        try:
            quiet = latencies(b.path, task, 200)
            threads_before = threading.active_count()
            stop, held = threading.Event(), []
            attacker = threading.Thread(target=flood, args=(a.path, stop, held, connections))
            attacker.start()
            while len(held) < connections * 0.9:
                time.sleep(0.05)
            loud = latencies(b.path, task, 200)
            threads_during = threading.active_count() - 1  # minus the attacker itself
            stop.set()
            attacker.join()
            for sock in held:
                sock.close()
        finally:
            a.close()
            b.close()
        return {"held_connections": len(held), "refused_as_busy": a.refused,
                "threads_before": threads_before, "threads_during_flood": threads_during,
                "quiet_p50_ms": statistics.median(quiet),
                "quiet_p99_ms": statistics.quantiles(quiet, n=100)[98],
                "flood_p50_ms": statistics.median(loud),
                "flood_p99_ms": statistics.quantiles(loud, n=100)[98]}


def answer_cost(attempts: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        svc = service(Path(tmp) / "s.db", "s")
        tasks = [t.id for t in svc.loaded.model.tasks]
        with svc.store.tx() as db:
            for i in range(attempts):
                db.execute("INSERT INTO attempts (session_id, task_id, at, kind, raw, normalized,"
                           " status, score, feedback, counted) VALUES (?,?,?,?,?,?,?,?,?,?)",
                           (svc.session_id, tasks[i % len(tasks)], time.time(), "answer", "x",
                            "x", "wrong", 0.0, "", 1))
        times = []
        for i in range(200):
            start = time.perf_counter()
            reply = svc.handle({"v": 1, "op": "answer", "task": OPEN_TASK,
                                "value": str(100_000 + i)})
            assert reply["ok"] and reply["data"]["status"] == "wrong", reply
            times.append((time.perf_counter() - start) * 1000)
        svc.store.close()
        return statistics.median(times)


CHILD = """
import resource, sys
from pathlib import Path
sys.path.insert(0, {root!r})
mode, crafted, evidence = sys.argv[1:4]
if mode == "old":
    from runner.evidence.reader import iter_packets
    n = len(list(iter_packets(Path(crafted))))
else:
    from runner.checkers.base import JudgeContext, Key
    from runner.checkers.frames import FramesChecker, FramesParams
    v = FramesChecker().judge_file(Path(crafted), Key(values=("1",)), FramesParams(evidence="e"),
                                   JudgeContext(evidence={{"e": Path(evidence)}}))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def capture_memory(records: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        crafted = Path(tmp) / "crafted.pcap"
        with crafted.open("wb") as out:
            out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            block = struct.pack("<IIII", 1, 0, 0, 0) * 65536
            for _ in range(records // 65536):
                out.write(block)
        evidence = ROOT / "pcaps" / "cs_synscan.pcapng"
        out: dict[str, Any] = {"records": records, "file_mb": crafted.stat().st_size >> 20}
        code = CHILD.format(root=str(ROOT))
        for mode in ("old", "new"):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code, mode, str(crafted), str(evidence)],
                                  capture_output=True, text=True, check=True)
            out[f"{mode}_peak_mb"] = int(done.stdout.split()[-1])
            out[f"{mode}_seconds"] = round(time.perf_counter() - start, 2)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--records", type=int, default=4_194_304)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {
        "flood": bench_flood(args.connections),
        "answer_ms_at_200_attempts": round(answer_cost(200), 3),
        "answer_ms_at_19000_attempts": round(answer_cost(19_000), 3),
        "capture": capture_memory(args.records),
        "self_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, value in results.items():
        if isinstance(value, dict):
            for sub, figure in value.items():
                print(f"{key:8} {sub:24} {figure:.3f}" if isinstance(figure, float)
                      else f"{key:8} {sub:24} {figure}")
        else:
            print(f"{key:35} {value}")


if __name__ == "__main__":
    main()
