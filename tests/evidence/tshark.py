"""tshark as the reference: tests that compare with it fail (not skip) when it is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def tshark_fields(path: Path, display_filter: str, *names: str) -> list[list[str]]:
    """Rows of ``tshark -T fields`` (first occurrence of each field) for matching frames."""
    exe = shutil.which("tshark")
    if exe is None:
        pytest.fail("tshark is required (tools/system-packages.txt: apt-get install tshark)")
    cmd = [exe, "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=f"]
    if display_filter:
        cmd += ["-Y", display_filter]
    for name in names:
        cmd += ["-e", name]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def write(path: Path, packets: list[object], linktype: int | None = None) -> Path:
    """Write scapy packets as a pcap (one second apart, stable times)."""
    from scapy.utils import PcapWriter

    for i, pkt in enumerate(packets):
        pkt.time = 1_600_000_000 + i  # type: ignore[attr-defined]
    with PcapWriter(str(path), linktype=linktype, sync=True) as out:
        for pkt in packets:
            out.write(pkt)
    return path
