#!/usr/bin/env python3
"""How fast a Docker lab answers, against the floor of a bare ``docker run --rm IMAGE true``.

Prints, from one run on the same engine: the median time from creating a lab
to a command running inside it (the backend's ``prepare`` + ``run(["true"])``,
or with ``--via-cli SCENARIO`` the whole ``dflab start ... --run true``), the
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


def time_cli(scenario: str) -> float:
    argv = [sys.executable, "-c", "from runner.cli.main import entry; entry()", "start",
            scenario, "--backend", "docker", "--run", "true"]
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


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
    parser.add_argument("--profile", default="network")
    parser.add_argument("--via-cli", metavar="SCENARIO",
                        help="time 'dflab start SCENARIO --backend docker --run true' instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    image = images.ensure_image(args.profile)
    client = connect()
    ours, floor = [], []
    with DockerBackend() as backend, tempfile.TemporaryDirectory(prefix="dflab-bench-") as tmp:
        root = Path(tmp)
        time_floor(client, image)  # warm the engine and the page cache alike
        time_backend(backend, root, image)
        for _ in range(args.runs):  # interleaved, so drift hits both sides
            floor.append(time_floor(client, image))
            ours.append(time_cli(args.via_cli) if args.via_cli
                        else time_backend(backend, root, image))
        idle = idle_memory_mb(backend, root, image, settle=2.0)
    client.close()
    result = {
        "image": image, "runs": args.runs,
        "lab_median_s": round(statistics.median(ours), 3),
        "floor_median_s": round(statistics.median(floor), 3),
        "ratio": round(statistics.median(ours) / statistics.median(floor), 2),
        "idle_memory_mb": round(idle, 1),
        "measured": "dflab start --run" if args.via_cli else "DockerBackend.prepare + run",
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"lab ready + command ({result['measured']}): median {result['lab_median_s']:.3f} s"
              f" over {args.runs} runs (target < 1 s)")
        print(f"floor 'docker run --rm {image} true':     median {result['floor_median_s']:.3f} s")
        print(f"ratio: {result['ratio']:.2f}x the floor (target <= 1.5x)")
        print(f"idle lab memory: {result['idle_memory_mb']:.1f} MB (target < 20 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
