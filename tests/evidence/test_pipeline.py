"""The two-process pass gives exactly the single-process result (tables, order, warnings)."""

from __future__ import annotations

import filecmp
import gc
import subprocess
import sys
from pathlib import Path

import pytest

from runner.evidence import pipeline
from runner.evidence.analyzers.base import Analyzer, RunOptions
from runner.evidence.analyzers.registry import all_analyzers, register, unregister
from runner.evidence.decode import Pkt
from runner.evidence.engine import analyze
from runner.evidence.handover import merge_warnings
from runner.evidence.pipeline import runs_apart

ROOT = Path(__file__).resolve().parents[2]
PCAPS = sorted(p for p in (ROOT / "pcaps").iterdir() if p.suffix in (".pcap", ".pcapng"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few thousand packets of the benchmark's traffic mix (web, DNS, ICMP, scan, IPv6)."""
    out = tmp_path_factory.mktemp("gen") / "mix.pcap"
    gen = ROOT / "bench" / "gen_capture.py"
    cmd = [sys.executable, str(gen), "--packets", "6000", "--seed", "7", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def _same(path: Path, **kwargs: object) -> None:
    single = analyze(path, pipeline=False, **kwargs)  # type: ignore[arg-type]
    split = analyze(path, pipeline=True, **kwargs)  # type: ignore[arg-type]
    assert split.to_json(compact=True) == single.to_json(compact=True)


def test_generated_capture_is_identical(generated: Path) -> None:
    _same(generated)


@pytest.mark.parametrize("path", PCAPS, ids=lambda p: p.name)
def test_sample_captures_are_identical(path: Path) -> None:
    _same(path)  # pcapng too: segments travel as bytes there, not as file offsets


def test_damaged_capture_keeps_warnings_in_place(generated: Path, tmp_path: Path) -> None:
    data = bytearray(generated.read_bytes())
    for at in range(5_000, len(data) - 4_000, 9_973):  # scribble over headers and payloads
        data[at : at + 3] = b"\xff\x00\x7f"
    damaged = tmp_path / "damaged.pcap"
    damaged.write_bytes(bytes(data[: len(data) - 777]))  # and cut the last record
    single = analyze(damaged, pipeline=False)
    assert single.warning_count > 0
    _same(damaged)


def test_subset_and_export(generated: Path, tmp_path: Path) -> None:
    _same(generated, names=["http", "dns", "conversations"])
    one, two = tmp_path / "one", tmp_path / "two"
    analyze(generated, ["http"], options=RunOptions(export_dir=one), pipeline=False)
    analyze(generated, ["http"], options=RunOptions(export_dir=two), pipeline=True)
    names = sorted(p.name for p in one.iterdir())
    assert names and names == sorted(p.name for p in two.iterdir())
    assert filecmp.cmpfiles(one, two, names, shallow=False)[0] == names


def test_which_analyzers_run_apart() -> None:
    apart = {name for name, cls in all_analyzers().items() if runs_apart(cls)}
    assert {"http", "tls", "credentials", "dns"} <= apart
    assert not apart & {"summary", "endpoints", "conversations", "scans", "wifi"}
    assert not apart & {"icmp", "arp", "dhcp"}  # no streams: cheaper here than shipped


class _SeesEveryIp(Analyzer):
    """Asks for every IP packet, which turns the loop's lean lane off."""

    name = "test-every-ip"
    wants_ip = True

    def on_ip(self, p: Pkt) -> None:
        return None


def test_lean_lane_gives_the_general_lanes_result(generated: Path) -> None:
    """Most TCP frames skip decode() and the hooks; every table must come out the same."""
    register(_SeesEveryIp)
    try:
        names = [n for n, c in all_analyzers().items()
                 if n != _SeesEveryIp.name and "capture" in c.kinds]
        general = analyze(generated, [*names, _SeesEveryIp.name], pipeline=False)
    finally:
        unregister(_SeesEveryIp.name)
    lean = analyze(generated, names, pipeline=False)
    assert lean.tables == general.tables
    assert lean.warnings == general.warnings


def test_small_batches_and_result_chunks(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many flushes and tables sent back a few rows at a time give the same result."""
    monkeypatch.setattr(pipeline, "_BATCH_SEGMENTS", 3)
    monkeypatch.setattr(pipeline, "_BATCH_ITEMS", 5)
    monkeypatch.setattr(pipeline, "_RESULT_ROWS", 7)
    _same(generated)


class _Breaks(Analyzer):
    """A stream analyzer with a bug."""

    name = "test-breaks"
    tcp_ports = frozenset({80})

    def on_stream(self, stream: object) -> None:
        raise RuntimeError("broken on purpose")


def test_a_bug_in_the_worker_reaches_the_caller(generated: Path) -> None:
    register(_Breaks)
    try:
        assert runs_apart(_Breaks)
        for split in (False, True):
            with pytest.raises(RuntimeError, match="broken on purpose"):
                analyze(generated, ["conversations", _Breaks.name], pipeline=split)
    finally:
        unregister(_Breaks.name)


def test_pass_leaves_the_collector_as_it_found_it(generated: Path) -> None:
    assert gc.isenabled()
    analyze(generated, ["summary"])
    assert gc.isenabled()
    gc.disable()
    try:
        analyze(generated, ["summary"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_merge_warnings_places_worker_messages() -> None:
    assert merge_warnings(["a", "b", "c"], [(0, "x"), (2, "y"), (2, "z"), (9, "w")]) == [
        "x",
        "a",
        "b",
        "y",
        "z",
        "c",
        "w",
    ]
