"""How many frames and flows an evidence capture holds: the universe that chance-corrected
selection scoring (``_selection``) measures the base rate against.

Counted once per file version (path, size, modification time) and process, so only
the first answer to a task pays for reading the capture.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PORTED = {6: "tcp", 17: "udp", 132: "sctp"}


def frame_count(path: Path) -> int:
    """Frames in a capture (Wireshark's highest ``frame.number``)."""
    stat = path.stat()
    return _frames(str(path), stat.st_size, stat.st_mtime_ns)


def flow_count(path: Path, *, ignore_protocol: bool = False) -> int:
    """Distinct direction-agnostic conversations in a capture, as ``flows`` reads them.

    TCP, UDP and SCTP flows are 5-tuples; any other IP protocol is an address pair
    per protocol (as ``icmp 10.0.0.1 10.0.0.2`` is written). Non-IP frames hold no flow.
    """
    stat = path.stat()
    with_proto, without = _flows(str(path), stat.st_size, stat.st_mtime_ns)
    return without if ignore_protocol else with_proto


@lru_cache(maxsize=64)
def _frames(path: str, _size: int, _mtime: int) -> int:
    from runner.evidence.reader import iter_records

    return sum(1 for _ in iter_records(Path(path)))


@lru_cache(maxsize=64)
def _flows(path: str, _size: int, _mtime: int) -> tuple[int, int]:
    from runner.evidence.decode import Pkt, decode
    from runner.evidence.reader import iter_records

    flows: set[tuple[object, ...]] = set()
    bare: set[tuple[object, ...]] = set()
    p = Pkt()
    for _ts, linktype, data, _wirelen in iter_records(Path(path)):
        decode(p, data, linktype)
        if not p.ipv:
            continue
        if p.proto in PORTED and p.sport >= 0:
            ends = tuple(sorted(((p.src, p.sport), (p.dst, p.dport))))
        else:
            ends = tuple(sorted(((p.src, -1), (p.dst, -1))))
        flows.add((p.proto, ends))
        bare.add(ends)
    return len(flows), len(bare)
