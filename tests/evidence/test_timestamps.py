"""Timestamps no calendar can show (if_tsresol 0x80 = whole seconds, a huge count) warn."""

from __future__ import annotations

from pathlib import Path

from runner.evidence import craft
from runner.evidence.engine import analyze
from tests.evidence.tshark import tshark_fields


def test_tsresol_0x80_with_a_large_timestamp_warns_instead_of_crashing(tmp_path: Path) -> None:
    frame = craft.ether(craft.ipv4(craft.udp(b"hello", sport=1000, dport=2000), proto=17))
    path = tmp_path / "far.pcapng"
    path.write_bytes(
        craft.pcapng_shb()
        + craft.pcapng_idb(tsresol=0x80)
        + craft.pcapng_epb(frame, 1_600_000_000)  # whole seconds: 2020, fine
        + craft.pcapng_epb(frame, (1 << 64) - 1)  # 2**64 seconds: no date
    )
    facts = analyze(path)  # every analyzer, timestamps formatted everywhere
    assert facts.packets == len(tshark_fields(path, "", "frame.number")) == 2
    assert facts.warnings == [
        "frame 2: timestamp is out of range (after year 9999 or before 1970); shown as 1970-01-01"
    ]
    (capture,) = facts.tables["summary.capture"]
    assert capture["first_time"] == "2020-09-13T12:26:40.000000000Z"
    assert capture["last_time"] == "1970-01-01T00:00:00.000000000Z"
