"""``capture``: a pcap of a story's events hidden in background traffic, or merged into a
real background capture shipped with the scenario.

Each event (``events:``, one module each in :mod:`runner.generate.events`) writes its
frames with its own random stream, so adding an event leaves the others' bytes alone.
Every event's values gain where it sits in the capture (``first_frame``, ``last_frame``,
``first_time``, ``last_time``, ``packets``), computed after all frames are in order.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator, model_validator

from runner.errors import InputError
from runner.evidence.analyzers.util import iso_time
from runner.evidence.craft import LINKTYPE_ETHERNET, LINKTYPE_IEEE802_11_RADIOTAP
from runner.generate.background import BackgroundParams, add_background
from runner.generate.embed import embed, load_background
from runner.generate.events.base import NS, EventContext, EventParams, Link, Router
from runner.generate.events.payload import PayloadSpec, payload_path
from runner.generate.events.registry import events
from runner.generate.registry import GenContext, Generator
from runner.generate.wire.sink import Sink
from runner.scenario.model import Strict

LINKTYPES = {"ethernet": LINKTYPE_ETHERNET, "radiotap": LINKTYPE_IEEE802_11_RADIOTAP}


class CaptureParams(Strict):
    start: datetime = Field(datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                            description="UTC time of the capture's first second (ISO 8601).")
    duration: float = Field(600.0, gt=0, le=7 * 86400, description="Seconds the capture spans.")
    link: Link = Field("ethernet", description="ethernet, or radiotap for Wi-Fi captures.")
    background: BackgroundParams | None = None
    events: list[Any] = Field(default_factory=list,
                              description="Events: {type: EVENT, id: NAME, at: SECONDS, ...}.")
    embed_into: str | None = Field(None, description="A real capture (pcap/pcapng) next to "
                                   "the story to merge the events into.")
    gateway: str | None = Field(None, description="The LAN's router (host key): hosts beyond "
                                "'lan' are seen behind its MAC, with TTLs lowered by hops.")
    lan: str | None = Field(None, description="The LAN block (default: the gateway's /24 or "
                            "/64).")
    embed_hosts: list[str] = Field(default_factory=list, description="Story hosts that take "
                                   "over the real capture's busiest local hosts, in order.")

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)  # naive: UTC

    @field_validator("events")
    @classmethod
    def _parse_events(cls, value: list[Any]) -> list[Any]:
        parsed = [events().parse(i, raw) for i, raw in enumerate(value)]
        seen: set[str] = set()
        for item in parsed:
            if item.id in seen:
                raise ValueError(f"two events have id '{item.id}'; give each its own")
            seen.add(item.id)
        return parsed

    @model_validator(mode="after")
    def _fits(self) -> CaptureParams:
        for item in self.events:
            kind = events().get(item.type)
            if kind.link != self.link:
                raise ValueError(f"event '{item.id}' ({item.type}) needs link: {kind.link}")
            if item.at > self.duration:
                raise ValueError(f"event '{item.id}' at {item.at}s is after the capture's end "
                                 f"({self.duration}s); raise 'duration' or lower 'at'")
        if self.lan is not None and self.gateway is None:
            raise ValueError("'lan' needs 'gateway'")
        if self.lan is not None:
            try:
                ipaddress.ip_network(self.lan, strict=False)
            except ValueError:
                raise ValueError(f"'lan': {self.lan!r} is not an address block") from None
        if self.embed_hosts and self.embed_into is None:
            raise ValueError("'embed_hosts' needs 'embed_into'")
        if self.embed_into is not None and self.link != "ethernet":
            raise ValueError("'embed_into' needs link: ethernet")
        if self.background is not None and self.link != "ethernet":
            raise ValueError("'background' traffic is Ethernet/IP; drop it for link: radiotap")
        return self


class CaptureGenerator(Generator):
    kind: ClassVar[str] = "capture"
    Params: ClassVar[type[BaseModel]] = CaptureParams
    suffix: ClassVar[str] = ".pcap"
    evidence_kind: ClassVar[str] = "capture"

    def check(self, params: BaseModel, ctx: GenContext) -> None:
        """The real background capture and every payload file must be there and readable."""
        assert isinstance(params, CaptureParams)
        if params.embed_into is not None:
            real = load_background(ctx, params.embed_into)
            if len(params.embed_hosts) > len(real.ranked):
                raise InputError(f"output '{ctx.output}': embed_hosts names "
                                 f"{len(params.embed_hosts)} hosts but '{params.embed_into}' has "
                                 f"{len(real.ranked)} local (private /24) hosts",
                                 fix="name fewer hosts in 'embed_hosts' or pick a capture of a "
                                     "private LAN")
        for item in params.events:
            for spec in (getattr(item, "payload", None), getattr(item, "attachment", None)):
                if isinstance(spec, PayloadSpec) and spec.file is not None:
                    payload_path(spec.file, ctx)

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, CaptureParams)
        sink = Sink()
        real = load_background(ctx, params.embed_into) if params.embed_into else None
        start_ns = real.start_ns if real else int(params.start.timestamp()) * NS
        spans: list[tuple[EventParams, int, int, dict[str, Any]]] = []
        router = _router(params, ctx)
        for item in params.events:
            ectx = EventContext(sink, start_ns, ctx, ctx.rng("event", item.id), router=router)
            before = len(sink)
            try:
                produced = events().get(item.type).emit(item, ectx)
            except ValueError as exc:  # e.g. an IPv6 host talking to an IPv4 one
                raise InputError(f"output '{ctx.output}': event '{item.id}': {exc}",
                                 fix="check the hosts the event names") from None
            spans.append((item, before, len(sink), produced))
        if params.background is not None:
            add_background(params.background, sink, ctx, start_ns, params.duration, router,
                           params.gateway)
        if real is not None:
            embed(sink, ctx, real, params.embed_hosts)
        ordered = sorted(sink.records)
        frame_of = [0] * len(ordered)
        for number, (_, index, _) in enumerate(ordered, 1):
            frame_of[index] = number
        values: dict[str, Any] = {}
        for item, first, last, produced in spans:
            values[item.id] = {**produced, **_where(ordered, frame_of, first, last)}
        from runner.evidence.craft import write_pcap

        out.write_bytes(write_pcap([(t, f) for t, _, f in ordered],
                                   linktype=LINKTYPES[params.link]))
        return values


def _router(params: CaptureParams, ctx: GenContext) -> Router | None:
    if params.gateway is None:
        return None
    host = ctx.host(params.gateway)
    lan = params.lan or f"{host.ip}/{64 if ':' in host.ip else 24}"
    return Router(ipaddress.ip_network(lan, strict=False), host.mac)


def _where(ordered: list[tuple[int, int, bytes]], frame_of: list[int], first: int,
           last: int) -> dict[str, Any]:
    if first == last:
        return {"packets": 0}
    frames = [frame_of[i] for i in range(first, last)]
    low, high = min(frames), max(frames)
    return {"packets": last - first, "first_frame": low, "last_frame": high,
            "first_time": iso_time(ordered[low - 1][0]),
            "last_time": iso_time(ordered[high - 1][0])}
