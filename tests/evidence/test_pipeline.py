"""The two-process pass gives exactly the single-process result (tables, order, warnings)."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import pytest

from runner.evidence.analyzers.base import RunOptions
from runner.evidence.analyzers.registry import all_analyzers
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
