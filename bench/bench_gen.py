#!/usr/bin/env python3
"""Speed of the capture generator (``make bench-gen``).

In one run it prints: packets generated per second by the template path beside scapy's
full layer-by-layer build of the same packets (the reference, measured here); the time to
generate one ~10,000-packet variant and compute its keys (story values), plus dflab's
analyzer pass for keys that are fact queries; and the time for N seats' variants on all
cores. With ``--class`` (needs Docker and the lab images) it also starts N-seat classes:
a plain one (before and after the others, so drift on a shared machine shows), one of
``bench/scenarios/office-10k.yaml`` whose variants ``class create`` made, and one whose
variants are made during the start; it prints what the variants add to the plain start
(target: under 20%). The plain class is that scenario's twin without variants: one
capture of the same story as shipped evidence, the same tasks with typed keys. Target:
one variant under 2 s. A measuring tool, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether

from runner.evidence.engine import analyze
from runner.generate.seeds import derive_seed
from runner.generate.story import load_story
from runner.generate.variant import generate_variant
from runner.generate.wire.frames import Node
from runner.generate.wire.sink import Sink
from runner.generate.wire.tcp import TcpFlow

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "bench" / "stories" / "office-10k.yaml"
GEN_SCENARIO = ROOT / "bench" / "scenarios" / "office-10k.yaml"
A = Node("10.1.2.3", "00:14:22:01:02:03", 128, 64240)
B = Node("93.184.216.34", "00:1a:a1:0a:0b:0c", 64, 65535)


def template_rate(count: int) -> float:
    """Packets per second of TCP conversations built by the template path."""
    sink, rng = Sink(), random.Random(1)
    began = time.perf_counter()
    while len(sink) < count:
        flow = TcpFlow(sink, A, B, rng.randrange(40000, 60000), 80, rng)
        flow.close(flow.exchange(flow.open(0), b"GET / HTTP/1.1\r\n\r\n", b"x" * 6000))
    return len(sink) / (time.perf_counter() - began)


def scapy_rate(count: int) -> float:
    """Packets per second when every packet goes through scapy's full build (reference)."""
    began = time.perf_counter()
    for i in range(count):
        bytes(Ether(src=A.mac, dst=B.mac) / IP(src=A.ip, dst=B.ip, ttl=128, id=i, flags="DF")
              / TCP(sport=40000, dport=80, seq=i * 1460, ack=1, flags="A") / (b"x" * 1460))
    return count / (time.perf_counter() - began)


def one_variant(seat: int) -> tuple[float, int]:
    """Generate seat ``seat``'s variant; return seconds and packets."""
    story = load_story(STORY)
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        variant = generate_variant(story, derive_seed("bench-class", f"s{seat:03d}"), Path(out))
        seconds = time.perf_counter() - began
        packets = sum(v.get("packets", 0) for v in variant.values.values()
                      if isinstance(v, dict))
        size = variant.files["net"].stat().st_size
        return seconds, packets if size else 0


def measure(seats: int, workers: int) -> dict[str, Any]:
    report: dict[str, Any] = {"seats": seats, "workers": workers,
                              "load": os.getloadavg()[0], "cores": os.cpu_count()}
    report["template_pps"] = template_rate(20_000)
    report["scapy_pps"] = scapy_rate(4_000)
    story = load_story(STORY)
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        variant = generate_variant(story, derive_seed("bench", 1), Path(out))
        report["variant_s"] = time.perf_counter() - began
        began = time.perf_counter()
        facts = analyze(variant.files["net"])
        report["analyze_s"] = time.perf_counter() - began
        report["variant_packets"] = facts.packets
        report["keys"] = sum(len(v) for v in variant.values.values() if isinstance(v, dict))
    report["generate_pps"] = report["variant_packets"] / report["variant_s"]
    began = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(one_variant, range(seats)))
    report["seats_s"] = time.perf_counter() - began
    return report


def class_start(scenario: Path, seats: int, *, prepare: bool) -> tuple[float, float]:
    """Seconds to start a ``seats``-seat class of ``scenario`` (Docker), and to make its
    seats' variants at ``class create`` first when ``prepare`` (0 when not)."""
    from runner.classroom.lifecycle import create_class, prepare_variants, start_class
    from runner.classroom.roster import parse_roster
    from runner.classroom.store import ClassStore
    from runner.session.runtime import existing_session

    home = Path(tempfile.mkdtemp(prefix="dflab-bench-gen-"))
    roster = "id,name\n" + "".join(f"s{i:03d},Seat {i}\n" for i in range(seats))
    create_class(home, "bench", [scenario], parse_roster(roster), None, seed=1)
    try:
        began = time.perf_counter()
        if prepare:
            failed = [o for o in prepare_variants(home, "bench") if o.error]
            assert not failed, failed[0].error
        made = time.perf_counter() - began
        began = time.perf_counter()
        started = start_class(home, "bench", parallel=8)
        seconds = time.perf_counter() - began
        errors = [o.error for o in started if o.error]
        assert not errors, errors[0]
        return seconds, made
    finally:
        classes = ClassStore.open(home)
        for lab in classes.labs("bench"):
            if lab.session_id:
                running = existing_session(home, lab.session_id)
                running.backend.stop(running.handle, remove_work=True)
                running.close()
        classes.close()
        shutil.rmtree(home, ignore_errors=True)


def plain_twin(folder: Path) -> Path:
    """The generated bench scenario without variants: one fixed ~10,000-packet capture as
    shipped evidence and the same tasks with typed keys, so only the variants differ."""
    variant = generate_variant(load_story(STORY), derive_seed("bench", 1), folder)
    values = variant.values
    scenario = {
        "schema_version": 1, "id": "bench-office-10k-plain",
        "title": {"en": "Office capture (bench, one capture for all)"}, "lab": "network",
        "evidence": [{"file": variant.files["net"].name, "name": "office.pcap",
                      "sha256": variant.sha256["net"]}],
        "tasks": [{"id": "attacker", "question": "Which address scanned the office?",
                   "answer": {"type": "ip", "expected": values["attacker"]["ip"]},
                   "solution": values["attacker"]["ip"]},
                  {"id": "account", "question": "Which account logged in over FTP?",
                   "answer": {"type": "text", "expected": values["user"]},
                   "solution": values["user"]}]}
    path = folder / "office-10k-plain.yaml"
    path.write_text(json.dumps(scenario), encoding="utf-8")  # JSON is YAML
    return path


def measure_class(report: dict[str, Any], seats: int) -> None:
    """A plain class start beside the same-sized class of a generated scenario, with its
    variants made at create and (the fallback) made during the start."""
    from runner.backends import images

    images.build_images(["network"])
    folder = Path(tempfile.mkdtemp(prefix="dflab-bench-plain-"))
    try:
        _measure_class(report, seats, plain_twin(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _measure_class(report: dict[str, Any], seats: int, plain: Path) -> None:
    report["class_s"], _ = class_start(plain, seats, prepare=False)
    report["gen_class_s"], report["prepare_s"] = class_start(GEN_SCENARIO, seats, prepare=True)
    report["cold_class_s"], _ = class_start(GEN_SCENARIO, seats, prepare=False)
    report["class_again_s"], _ = class_start(plain, seats, prepare=False)
    # the plain start measured before and after: other work on the machine shows as a gap
    reference = (report["class_s"] + report["class_again_s"]) / 2
    report["share"] = report["gen_class_s"] / reference - 1
    report["cold_share"] = report["cold_class_s"] / reference - 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seats", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2, help="processes generating variants")
    ap.add_argument("--class", dest="with_class", action="store_true",
                    help="also start a plain class (Docker) as the reference for the seats")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    report = measure(args.seats, args.workers)
    if args.with_class:
        measure_class(report, args.seats)
    figures = {k: round(v, 3) if isinstance(v, float) else v for k, v in report.items()}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        Console().print(_table(figures))
    return 0


def _table(r: dict[str, Any]) -> Table:
    table = Table(title=f"Capture generator ({r['variant_packets']:,}-packet variant, "
                  f"{r['seats']} seats on {r['workers']} processes)")
    for col in ("measure", "dflab", "reference", "target"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row("packets per second (TCP flows)", f"{r['template_pps']:,.0f}",
                  f"{r['scapy_pps']:,.0f} (scapy full build)", "")
    table.add_row("packets per second (whole variant)", f"{r['generate_pps']:,.0f}", "", "")
    table.add_row("one variant + its story keys (s)", f"{r['variant_s']}", "", "< 2")
    table.add_row(f"  dflab analyzers over it ({r['keys']} story values) (s)",
                  f"{r['analyze_s']}", "", "")
    table.add_row(f"{r['seats']} seats' variants alone (s)", f"{r['seats_s']}", "", "")
    if "class_s" in r:
        plain = f"{r['class_s']} / {r['class_again_s']} (plain class, before / after)"
        table.add_row(f"{r['seats']}-seat class start, variants made at create (s)",
                      f"{r['gen_class_s']}", plain, "")
        table.add_row("  variants add to the class start", f"{100 * r['share']:+.0f}%", "",
                      "< 20%")
        table.add_row(f"  making them at 'class create' (s, {r['cores']} processes)",
                      f"{r['prepare_s']}", "", "")
        table.add_row(f"{r['seats']}-seat class start, variants made during it (s)",
                      f"{r['cold_class_s']}", "", "")
        table.add_row("  variants add to the class start", f"{100 * r['cold_share']:+.0f}%",
                      "", "")
    else:
        table.add_row("class start figures", "run with --class", "", "")
    table.caption = (f"machine: {r['cores']} cores, load average {r['load']:.1f} at the start "
                     "(other work slows both columns alike)")
    return table


if __name__ == "__main__":
    sys.exit(main())
