"""Handing results over: finished streams to analyzers, analyzers' tables and warnings to the pass.

Shared by the engine and the stream worker process (``pipeline``), so a stream is
delivered and a table is built the same way in either process.
"""

from __future__ import annotations

import contextlib
import gc
import struct
from collections.abc import Callable, Iterator

from runner.evidence.analyzers.base import Analyzer
from runner.evidence.damage import Damaged
from runner.evidence.flows import Flow
from runner.evidence.streams import build_stream
from runner.evidence.table import Table

# What damaged input raises inside an analyzer: ``Damaged`` (or a subclass: DnsError,
# TlsError), a fixed-layout read running off the end of the bytes (struct.error) and
# text that is not in the encoding it claims. Anything else (IndexError, KeyError,
# ValueError...) is a bug and stops the pass.
DAMAGE = (Damaged, struct.error, UnicodeDecodeError)


def deliver(
    flow: Flow, consumers: list[Analyzer], warn: Callable[[str], None], *, gaps: bool
) -> None:
    """Reassemble a finished stream and hand it to the analyzers that asked for it."""
    stream = build_stream(flow)
    if gaps:
        for who in (stream.client, stream.server):
            if who.gap:
                where = who.frame_at(who.gaps[0][0]) if who.frames else flow.first_frame
                warn(
                    f"frame {where}: TCP stream {flow.index} misses {who.missing} byte(s) "
                    f"in {len(who.gaps)} gap(s); resynchronised after each"
                )
    for analyzer in consumers:
        try:
            analyzer.on_stream(stream)
        except DAMAGE as exc:
            analyzer.warn(flow.first_frame, f"damaged stream {flow.index}: {exc}")


def tables_of(analyzer: Analyzer) -> dict[str, Table]:
    """An analyzer's finished tables, keyed ``analyzer.table``."""
    tables: dict[str, Table] = {}
    for short, rows in analyzer.finish().items():
        fields = [f.name for f in analyzer.tables[short]]
        table = rows if isinstance(rows, Table) else Table.from_dicts(fields, rows)
        tables[f"{analyzer.name}.{short}"] = table
    return tables


def merge_warnings(main: list[str], placed: list[tuple[int, str]]) -> list[str]:
    """Main warnings with the worker's put back where they arose (after ``pos`` main ones)."""
    out: list[str] = []
    i = 0
    for pos, message in placed:
        while i < pos and i < len(main):
            out.append(main[i])
            i += 1
        out.append(message)
    out.extend(main[i:])
    return out


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """No automatic garbage collection during a pass.

    A pass keeps millions of small objects (flows, rows) and makes no reference cycles
    to speak of, so the collector would walk the growing tables again and again for
    nothing: about a tenth of a million-packet pass. Afterwards what survived is moved
    to the oldest generation in one step (freeze, unfreeze) rather than walked by the
    next young collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
