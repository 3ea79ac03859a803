"""Where generated frames go: kept with their times, written as one time-ordered pcap."""

from __future__ import annotations

from pathlib import Path

from runner.evidence.craft import write_pcap


class Sink:
    """Frames of one capture as ``(time_ns, bytes)``; sorted by time when written."""

    def __init__(self) -> None:
        self.records: list[tuple[int, int, bytes]] = []

    def add(self, t: int, frame: bytes) -> None:
        """Keep ``frame`` at time ``t`` (ns); frames at the same time keep insertion order."""
        self.records.append((t - t % 1000, len(self.records), frame))  # pcap keeps µs

    def __len__(self) -> int:
        return len(self.records)

    def ordered(self) -> list[tuple[int, bytes]]:
        """The frames in capture order."""
        return [(t, frame) for t, _, frame in sorted(self.records)]

    def write(self, out: Path, linktype: int) -> int:
        """Write a pcap (microsecond timestamps) and return how many frames it holds."""
        records = self.ordered()
        out.write_bytes(write_pcap(records, linktype=linktype))
        return len(records)
