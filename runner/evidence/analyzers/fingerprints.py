"""``fingerprints`` (on demand): passive OS hints per host from IP TTL and TCP SYN window.

A host's packets leave with an initial TTL its system chooses (64: Linux, macOS,
BSD; 128: Windows; 255: many routers and Solaris) and arrive lower by the hops on
the way, so the next of 32/64/128/255 at or above the highest TTL seen is the likely
initial value (meaningless for a host running a traceroute: its TTLs start at 1).
The window and MSS of the SYN (or SYN/ACK) it sends sharpen the guess. Hints, not
proof: any of these can be changed on the host.
"""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.packets import ttl_of
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text
from runner.evidence.decode import PROTO_TCP, Pkt

_INITIAL = (32, 64, 128, 255)
_GUESS = {32: "old Windows (95/98/NT)", 64: "Linux/Unix/macOS", 128: "Windows",
          255: "network device or Solaris"}


def initial_ttl(ttl: int) -> int:
    """The usual initial TTL a packet seen with ``ttl`` most likely started with."""
    return next(t for t in _INITIAL if ttl <= t)


def _mss(data: bytes, start: int, end: int) -> int:
    """The MSS option of a TCP header's options area, -1 when absent."""
    i = start
    while i < end:
        kind = data[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= end or data[i + 1] < 2:
            break
        if kind == 2 and data[i + 1] == 4 and i + 4 <= end:
            return data[i + 2] << 8 | data[i + 3]
        i += data[i + 1]
    return -1


@register
class Fingerprints(Analyzer):
    """One row per sending IP address."""

    name = "fingerprints"
    on_demand = True
    description = "per-host TTL, initial TTL, SYN window and MSS, OS hint (on demand)"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "hosts": (
            Field("ip", "str", "sending address"),
            Field("packets", "int", "IP packets it sent"),
            Field("first_frame", "int", "its first packet"),
            Field("ttl", "int", "most common TTL / hop limit of its packets"),
            Field("ttls", "str", "every TTL seen, ascending, comma separated"),
            Field("initial_ttl", "int", "likely initial TTL: 32, 64, 128, 255 (from the highest)"),
            Field("os_guess", "str", "hint from the initial TTL"),
            Field("syn_window", "int", "window of its first SYN or SYN/ACK, -1 when none"),
            Field("syn_mss", "int", "MSS option of that SYN, -1 when absent"),
            Field("syn_ttl", "int", "TTL of that SYN, -1"),
        ),
    }
    wants_ip = True

    def setup(self) -> None:
        self.ttls: dict[bytes, Counter[int]] = {}
        self.first: dict[bytes, int] = {}
        self.syn: dict[bytes, tuple[int, int, int]] = {}

    def on_ip(self, p: Pkt) -> None:
        ttl = ttl_of(p)
        seen = self.ttls.get(p.src)
        if seen is None:
            seen = self.ttls[p.src] = Counter()
            self.first[p.src] = p.frame
        seen[ttl] += 1
        if p.proto == PROTO_TCP and p.sport >= 0 and p.flags & 2 and p.src not in self.syn:
            data, l4 = p.data, p.l4
            self.syn[p.src] = (data[l4 + 14] << 8 | data[l4 + 15], _mss(data, l4 + 20, p.pl),
                               ttl)

    def finish(self) -> Tables:
        table = self.new_table("hosts")
        for src, seen in self.ttls.items():
            ttl = max(seen.items(), key=lambda kv: (kv[1], kv[0]))[0]
            window, mss, syn_ttl = self.syn.get(src, (-1, -1, -1))
            # The highest TTL seen is nearest the initial one (fewest hops; a host whose
            # TTLs vary is reached by several paths or is running a traceroute).
            start = initial_ttl(max(syn_ttl, *seen))
            table.append({"ip": ip_text(src), "packets": sum(seen.values()),
                          "first_frame": self.first[src], "ttl": ttl,
                          "ttls": ",".join(map(str, sorted(seen))), "initial_ttl": start,
                          "os_guess": _GUESS[start], "syn_window": window, "syn_mss": mss,
                          "syn_ttl": syn_ttl})
        return {"hosts": table.sort_by("first_frame")}
