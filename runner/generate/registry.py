"""The generator registry: one generator per kind of output a story can make.

Generators register by name (``capture``, ``usb-image``, ``mailbox``, ...) like checkers
and analyzers; a duplicate name is a bug and refused. ``generators/__init__.py`` imports
every generator module, and a test fails if one is left out.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from runner.errors import InputError
from runner.generate.hosts import Host
from runner.generate.seeds import rng_for
from runner.generate.variables import render_any
from runner.scenario.problems import nearest


@dataclass
class GenContext:
    """What a generator may use: the variant's seed, values and hosts, and where the story
    lives (files a story ships, such as payloads or a background capture, are relative to
    it)."""

    story_id: str
    seed: int
    output: str
    base_dir: Path
    values: dict[str, Any]
    hosts: dict[str, Host] = field(default_factory=dict)
    # The outputs listed before this one (name -> kind), and their files once generated:
    # an E01 acquired from a medium, or a working copy of it, reads the medium's bytes.
    earlier: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    # Where files the story carries (payloads, attachments) are kept for reference
    # solutions; None when nothing is written (validate's dry run).
    carry_dir: Path | None = None

    def rng(self, *scope: str) -> random.Random:
        """A random stream private to this output and ``scope`` (e.g. one event's id)."""
        return rng_for(self.seed, self.story_id, self.output, *scope)

    def render(self, value: Any) -> Any:
        """Fill ``{{name.field}}`` placeholders from the story values."""
        return render_any(value, self.values)

    def source(self, name: str, kinds: tuple[str, ...]) -> Path | None:
        """The file of the earlier output ``name``, which must be of one of ``kinds``;
        None while validating (nothing is generated yet). A name that is not an earlier
        output of those kinds is an :class:`InputError` saying which ones are."""
        fitting = [n for n, kind in self.earlier.items() if kind in kinds]
        if name not in fitting:
            raise InputError(
                f"output '{self.output}': 'source: {name}' is not an output listed before it "
                f"of kind {' or '.join(kinds)}",
                fix=f"use one of: {', '.join(fitting)}" if fitting
                else f"list a {kinds[0]} output before '{self.output}'")
        return self.files.get(name)

    def host(self, key: str) -> Host:
        """The host named ``key``; an unknown name says which hosts exist."""
        if key not in self.hosts:
            near = nearest(key, self.hosts)
            raise InputError(f"output '{self.output}': no host named '{key}'",
                             fix=f"did you mean '{near}'?" if near
                             else f"define it under 'hosts:' (hosts: {', '.join(self.hosts)})")
        return self.hosts[key]


class Generator(ABC):
    """Makes one output file of a story variant."""

    kind: ClassVar[str]
    Params: ClassVar[type[BaseModel]]
    suffix: ClassVar[str] = ".bin"
    # The evidence kind (runner/evidence/kinds) of the files it writes, for the catalogue;
    # "file" when no kind opens them (a text note, a tar of databases).
    evidence_kind: ClassVar[str] = "file"

    def check(self, params: BaseModel, ctx: GenContext) -> None:  # noqa: B027 - optional hook
        """Raise :class:`InputError` for a problem found before generating, such as a file
        the story ships that is missing or damaged, so ``dflab validate`` reports it with
        its line. The default finds none."""

    @abstractmethod
    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        """Write the output to ``out`` and return the story values it produced.

        The returned mapping's keys are top-level story names (an event's ``id`` with its
        fields, for example ``{"scan": {"open_ports": [22, 80]}}``), which answer keys use
        as ``{story: scan.open_ports}``. The same params and seed must write the same bytes.
        """


class GeneratorRegistry:
    """Generators by kind; refuses duplicates."""

    def __init__(self) -> None:
        self._items: dict[str, Generator] = {}

    def register(self, generator: Generator) -> Generator:
        if generator.kind in self._items:
            raise ValueError(f"generator kind '{generator.kind}' registered twice")
        self._items[generator.kind] = generator
        return generator

    def get(self, kind: str) -> Generator:
        if kind not in self._items:
            near = nearest(kind, self._items)
            raise InputError(f"unknown output kind '{kind}'",
                             fix=f"did you mean '{near}'?" if near
                             else f"use one of: {', '.join(self.names())}")
        return self._items[kind]

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, kind: object) -> bool:
        return kind in self._items


@cache
def registry() -> GeneratorRegistry:
    """The registry with every built-in generator (imported on first use)."""
    from runner.generate import generators

    built = GeneratorRegistry()
    for generator in generators.ALL:
        built.register(generator)
    return built


def output_params(spec: Mapping[str, Any]) -> dict[str, Any]:
    """An output spec without its ``kind`` key: what the generator's Params validate."""
    return {k: v for k, v in spec.items() if k != "kind"}
