"""Merge a story's frames into a real background capture shipped with the scenario."""

from __future__ import annotations

from runner.generate.registry import GenContext
from runner.generate.wire.sink import Sink


def embed(sink: Sink, ctx: GenContext, name: str, start_ns: int) -> None:
    raise NotImplementedError
