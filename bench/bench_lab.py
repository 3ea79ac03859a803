#!/usr/bin/env python3
"""How fast a Docker lab answers, against the floor of a bare ``docker run --rm IMAGE true``.

Prints, from one run on the same engine: the median time from creating a lab
to a command running inside it (the backend's ``prepare`` + ``run(["true"])``,
and the whole ``dflab start SCENARIO --run`` of a trainee's script), the
floor, their ratio, and the idle memory of a lab (cgroup usage minus page
cache, as ``docker stats`` shows it). Targets: ratio <= 1.5, median < 1 s,
idle < 20 MB. No assertions: this is a measuring tool (``make bench-lab``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from runner.backends import images
from runner.backends.base import LabSpec, Limits
from runner.backends.docker import DockerBackend, connect


def fake_spec(root: Path, image: str) -> LabSpec:
    sid = f"bench-{uuid.uuid4().hex[:10]}"
    folder = root / sid
    (folder / "run").mkdir(parents=True)
    evidence = folder / "capture.pcap"
    evidence.write_bytes(b"\xd4\xc3\xb2\xa1" + bytes(20))
    evidence.chmod(0o644)
    return LabSpec(sid, "bench", "Bench lab", "network", image, Limits(memory_mb=768),
                   (("capture.pcap", evidence),), folder / "run", folder / "work")


def time_backend(backend: DockerBackend, root: Path, image: str) -> float:
    spec = fake_spec(root, image)
    started = time.perf_counter()
    handle = backend.prepare(spec)
    code, out = backend.run(handle, spec, ["true"])
    elapsed = time.perf_counter() - started
    backend.stop(handle, remove_work=True)
    if code != 0:
        raise SystemExit(f"bench: 'true' failed in the lab: {out}")
    return elapsed


def time_cli(scenario: str, home: Path) -> tuple[float, float]:
    """``dflab start --run`` as a trainee's script runs it: seconds until the command runs
    inside the lab (it prints the clock it sees) and until dflab has exited."""
    argv = [sys.executable, "-m", "runner.cli", "--home", str(home), "start", scenario,
            "--backend", "docker", "--run", "date +%s.%N", "--remove"]
    launched = time.time()
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    finished = time.time()
    return float(out.strip().splitlines()[-1]) - launched, finished - launched


def time_floor(client: object, image: str) -> float:
    docker_cli = shutil.which("docker")
    started = time.perf_counter()
    if docker_cli:
        subprocess.run([docker_cli, "run", "--rm", image, "true"], check=True,
                       capture_output=True)
    else:
        client.containers.run(image, ["true"], remove=True)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def idle_memory_mb(backend: DockerBackend, root: Path, image: str, settle: float) -> float:
    spec = fake_spec(root, image)
    handle = backend.prepare(spec)
    try:
        time.sleep(settle)
        stats = backend.client.containers.get(handle.ref).stats(stream=False)["memory_stats"]
        usage = stats.get("usage", 0)
        inner = stats.get("stats", {})
        cache = inner.get("total_inactive_file", inner.get("inactive_file", inner.get("cache", 0)))
        return float(usage - cache) / 2**20
    finally:
        backend.stop(handle, remove_work=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scenario", default="port-scan-triage",
                        help="scenario started with 'dflab start' (default: port-scan-triage)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    image = images.ensure_image("network")
    client = connect()
    cli_ready, cli_total, api, floor = [], [], [], []
    with DockerBackend() as backend, tempfile.TemporaryDirectory(prefix="dflab-bench-") as tmp:
        root = Path(tmp)
        time_floor(client, image)  # warm the engine and the page cache alike
        time_cli(args.scenario, root / "home")
        for _ in range(args.runs):  # interleaved, so drift hits every side alike
            floor.append(time_floor(client, image))
            ready, total = time_cli(args.scenario, root / "home")
            cli_ready.append(ready)
            cli_total.append(total)
            api.append(time_backend(backend, root, image))
        idle = idle_memory_mb(backend, root, image, settle=2.0)
    client.close()
    med = statistics.median
    result = {
        "image": image, "runs": args.runs,
        "start_to_command_median_s": round(med(cli_ready), 3),
        "start_total_median_s": round(med(cli_total), 3),
        "backend_prepare_run_median_s": round(med(api), 3),
        "floor_median_s": round(med(floor), 3),
        "ratio": round(med(cli_ready) / med(floor), 2),
        "idle_memory_mb": round(idle, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    table = Table(title=f"Lab start on {image} ({args.runs} runs, medians)")
    for col in ("measure", "seconds", "× floor", "target"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    fl = result["floor_median_s"]
    rows = [
        ("dflab start --run: command running", result["start_to_command_median_s"],
         "< 1 s and ≤ 1.5× floor"),
        ("dflab start --run: dflab exited (lab removed)", result["start_total_median_s"], ""),
        ("backend prepare + run (no CLI)", result["backend_prepare_run_median_s"], ""),
        (f"floor: docker run --rm {image} true", fl, ""),
    ]
    for name, secs, target in rows:
        table.add_row(name, f"{secs:.3f}", f"{secs / fl:.2f}", target)
    table.add_row("idle lab memory (MB)", f"{result['idle_memory_mb']:.1f}", "", "< 20 MB")
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
