"""What an analyzer is: declared tables, declared interests, and hooks the engine calls.

An analyzer says up front which traffic it wants (link types, ether types, IP
protocols, UDP ports, TCP streams by port or by sniffing their first bytes), so the
single pass hands each packet only to the analyzers that care. Hooks must not keep
the :class:`~runner.evidence.decode.Pkt` they receive; it is reused.

Three outcomes stay apart, as in plaso: traffic that is not the analyzer's input is
ignored (return); damaged input is reported through :meth:`Analyzer.warn`, or by raising
:class:`Damaged`, and skipped; anything else an analyzer raises is a bug and stops the
pass (an ``IndexError`` is not taken for damage: check lengths, or raise ``Damaged``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from runner.evidence.decode import Pkt
    from runner.evidence.flows import Flow
    from runner.evidence.loop import Pairs, Totals
    from runner.evidence.streams import Stream

from runner.evidence.damage import Damaged
from runner.evidence.table import Row, Table

__all__ = [
    "Analyzer",
    "Damaged",
    "Field",
    "KindAnalyzer",
    "Row",
    "RunOptions",
    "Table",
    "Tables",
    "table_names",
]

Tables = dict[str, Table | list[Row]]


@dataclass(frozen=True)
class Field:
    """One column of a fact table: its name, JSON type and meaning (for docs and checks)."""

    name: str
    type: str  # "str" | "int" | "float" | "bool"
    doc: str = ""


@dataclass
class RunOptions:
    """Settings of one analysis pass.

    Attributes:
        export_dir: where the http analyzer writes reassembled objects (None: hash only).
    """

    export_dir: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Analyzer:
    """Base class: subclasses set the class attributes and override the hooks they need."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {}
    # Runs only when asked for by name (a query on its tables, ``dflab facts --only``):
    # for per-packet tables that would slow every pass and fill every cache entry.
    on_demand: ClassVar[bool] = False
    # Evidence kinds this analyzer reads (runner/evidence/kinds/): the capture engine
    # runs only "capture" analyzers; other kinds run theirs through KindAnalyzer.run.
    kinds: ClassVar[frozenset[str]] = frozenset({"capture"})

    # Interests: the engine routes only matching packets to the hooks below.
    wants_records: ClassVar[bool] = False  # every frame, before decoding
    wants_totals: ClassVar[bool] = False  # the capture's totals, tallied by the loop
    wants_pairs: ClassVar[bool] = False  # packets/bytes per address pair, tallied by the loop
    wants_all: ClassVar[bool] = False  # every decoded frame, to on_packet
    wants_ip: ClassVar[bool] = False  # every decoded IPv4/IPv6 packet
    wants_wifi: ClassVar[bool] = False  # every 802.11 frame
    wants_fragments: ClassVar[bool] = False  # IP fragments, to on_fragment
    ether_types: ClassVar[frozenset[int]] = frozenset()
    ip_protos: ClassVar[frozenset[int]] = frozenset()
    udp_ports: ClassVar[frozenset[int]] = frozenset()
    tcp_ports: ClassVar[frozenset[int]] = frozenset()  # streams wanted by port
    tcp_control: ClassVar[bool] = False  # TCP packets with SYN or RST set
    wants_flows: ClassVar[bool] = False  # the finished flow table
    stream_limit: ClassVar[int] = 64 * 1024 * 1024  # bytes kept per stream direction

    def __init__(self, options: RunOptions, warn: Callable[[str], None]) -> None:
        self.options = options
        self._warn = warn
        self.setup()

    def setup(self) -> None:
        """Initialise per-pass state (called by ``__init__``)."""

    def new_table(self, short: str) -> Table:
        """An empty table with the fields this analyzer declared for ``short``."""
        return Table(f.name for f in self.tables[short])

    def warn(self, frame: int, message: str) -> None:
        """Record damaged input at ``frame``; the pass carries on."""
        self._warn(f"frame {frame}: {self.name}: {message}")

    # Hooks; the defaults ignore everything.
    def on_record(self, frame: int, ts: int, linktype: int, wirelen: int) -> None:
        """Every frame (e.g. counting), before any decoding."""

    def on_totals(self, totals: Totals) -> None:
        """Frames, bytes, first/last time and link types of the whole capture, after the
        last packet (``wants_totals``): cheaper than ``on_record`` on every frame."""

    def on_pairs(self, pairs: Pairs) -> None:
        """``[packets, bytes, first frame]`` per address-pair key (see
        :func:`runner.evidence.loop.pair_key`), after the last packet (``wants_pairs``):
        cheaper than ``on_packet`` on every frame."""

    def on_packet(self, p: Pkt) -> None:
        """Every decoded frame (``wants_all``)."""

    def on_frame(self, p: Pkt) -> None:
        """A frame whose ether type is in ``ether_types``, or an 802.11 frame."""

    def on_ip(self, p: Pkt) -> None:
        """An IP packet (``wants_ip``) or one whose protocol is in ``ip_protos``."""

    def on_fragment(self, p: Pkt) -> None:
        """An IPv4 or IPv6 fragment (``wants_fragments``)."""

    def on_udp(self, p: Pkt) -> None:
        """A UDP datagram to or from one of ``udp_ports``."""

    def on_tcp_control(self, p: Pkt, flow: Flow) -> None:
        """A TCP packet with SYN or RST set (``tcp_control``)."""

    def sniff(self, payload: bytes) -> bool:
        """Whether a TCP stream on other ports is this analyzer's, from its first payload."""
        return False

    def on_stream(self, stream: Stream) -> None:
        """A reassembled TCP stream this analyzer asked for, when it closes or at the end."""

    def on_flows(self, flows: list[Flow]) -> None:
        """Every TCP and UDP flow, in order of first appearance, after the last packet."""

    def finish(self) -> Tables:
        """Return the analyzer's tables (rows of JSON scalars), keyed by short table name."""
        return {}


class KindAnalyzer(Analyzer):
    """An analyzer of a non-capture kind: reads the opened evidence once in :meth:`run`.

    Set ``kinds`` to the kind names it reads; fill tables in ``run`` and return them
    from ``finish`` (every declared table, even empty).
    """

    kinds: ClassVar[frozenset[str]] = frozenset()

    def run(self, source: Any) -> None:
        """Read the object the kind's opener returned; record damage with :meth:`note`."""
        raise NotImplementedError

    def note(self, message: str, *, where: str = "", offset: int | None = None) -> None:
        """Record damaged input (``where``: the file or item; ``offset`` in bytes)."""
        place = ": ".join(
            p for p in (where, f"offset {offset}" if offset is not None else "") if p
        )
        self._warn(f"{place}: {self.name}: {message}" if place else f"{self.name}: {message}")


def table_names(cls: type[Analyzer]) -> list[str]:
    """Full ``analyzer.table`` names of one analyzer class."""
    return [f"{cls.name}.{table}" for table in cls.tables]
