"""Tor's ``state`` file and ``torrc``: the guards and bridges a client used, and its options.

A ``Guard`` line of ``state`` is ``K=V`` pairs in any order (Tor's entrynodes.c): the
selection it belongs to (``in=default``, ``in=bridges``...), the relay's ``rsa_id``
fingerprint, for a bridge its ``bridge_addr``, and ``confirmed_idx`` once a circuit
through it succeeded, which makes it the guard Tor actually uses. Default guards carry
no address: only a consensus of that date maps their fingerprint to one.
"""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register

_TIME = "UTC ISO 8601 as Tor writes it ('' when none)"


@register
class TorAnalyzer(KindAnalyzer):
    name = "tor"
    version = "1"
    description = "Tor state and torrc: guards, bridges, options"
    kinds = frozenset({"tor"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "guards": (
            Field("selection", "str", "guard selection: default, bridges, restricted..."),
            Field("rsa_id", "str", "relay identity fingerprint, 40 hex digits"),
            Field("nickname", "str", "relay nickname ('' when not recorded)"),
            Field("bridge_ip", "str", "bridge address ('' for a relay guard)"),
            Field("bridge_port", "int", "bridge ORPort (-1 for a relay guard)"),
            Field("sampled_on", "str", f"when Tor picked it; {_TIME}"),
            Field("sampled_by", "str", "Tor version that picked it"),
            Field("listed", "bool", "listed in the consensus (or bridge known) at last write"),
            Field("confirmed_on", "str", f"first successful circuit through it; {_TIME}"),
            Field("confirmed_idx", "int", "order among confirmed guards, 0 first (-1: never)"),
        ),
        "bridges": (
            Field("transport", "str", "pluggable transport (obfs4, snowflake...; '' vanilla)"),
            Field("ip", "str", "bridge address"),
            Field("port", "int", "bridge port"),
            Field("fingerprint", "str", "identity fingerprint ('' when not given)"),
        ),
        "options": (
            Field("line", "int", "line number"),
            Field("key", "str", "option or state keyword (UseBridges, LastWritten...)"),
            Field("value", "str", "the rest of the line"),
        ),
    }

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        text: str = source
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition(" ")
            value = value.strip()
            if key == "Guard":
                self._guard(value, number)
            elif key == "Bridge":
                self._bridge(value, number)
            self.rows["options"].append({"line": number, "key": key, "value": value})

    def _guard(self, value: str, number: int) -> None:
        pairs = dict(item.partition("=")[::2] for item in value.split())
        ip, port = _endpoint(pairs.get("bridge_addr", ""))
        if pairs.get("bridge_addr") and not ip:
            self.note(f"line {number}: bridge_addr {pairs['bridge_addr']!r} is not IP:port")
        self.rows["guards"].append({
            "selection": pairs.get("in", ""), "rsa_id": pairs.get("rsa_id", "").upper(),
            "nickname": pairs.get("nickname", ""), "bridge_ip": ip, "bridge_port": port,
            "sampled_on": _when(pairs.get("sampled_on", "")),
            "sampled_by": pairs.get("sampled_by", ""), "listed": pairs.get("listed") == "1",
            "confirmed_on": _when(pairs.get("confirmed_on", "")),
            "confirmed_idx": _index(pairs.get("confirmed_idx", "")),
        })

    def _bridge(self, value: str, number: int) -> None:
        words = value.split()
        transport = ""
        if words and ":" not in words[0]:
            transport, words = words[0], words[1:]
        ip, port = _endpoint(words[0] if words else "")
        if not ip:
            self.note(f"line {number}: Bridge line without an IP:port")
            return
        fingerprint = words[1].upper() if len(words) > 1 and "=" not in words[1] else ""
        self.rows["bridges"].append({"transport": transport, "ip": ip, "port": port,
                                     "fingerprint": fingerprint})

    def finish(self) -> Tables:
        return dict(self.rows)


def _endpoint(text: str) -> tuple[str, int]:
    """``1.2.3.4:443`` or ``[2001:db8::1]:443`` as (address, port); ('', -1) if neither."""
    host, _, port = text.rpartition(":")
    try:
        return str(ipaddress.ip_address(host.strip("[]"))), int(port)
    except ValueError:
        return "", -1


def _index(text: str) -> int:
    """A ``confirmed_idx``; -1 when absent or not a plain decimal number."""
    return int(text) if text.isascii() and text.isdigit() else -1


def _when(text: str) -> str:
    """Tor's ``2026-01-28T19:17:31`` (UTC, no zone) as ``2026-01-28T19:17:31Z``."""
    return text + "Z" if text else ""
