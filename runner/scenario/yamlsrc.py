"""YAML reading that remembers where every value came from: the one YAML reader.

Trainers fix what they can find: every key and value keeps its line, and the
byte span of its text so ``dflab seal`` can rewrite one value without losing
the file's comments. Scenarios, lab profiles, answer sheets and fact queries
are all read here, with YAML 1.2 core-schema rules (:mod:`yamlcore`), a cap on
what aliases may expand to, a depth limit, and regular UTF-8 files only; every
refusal is one :class:`InputError` naming the file and line.
"""

from __future__ import annotations

import contextlib
import gc
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runner.errors import InputError, show_path
from runner.scenario.yamlcore import CoreLoader, typed_change

PathKey = tuple[str | int, ...]
# Values aliases may add beyond the file's own (billion laughs): this many, or one per
# ALIAS_BYTES bytes of a larger file, which is far more than sharing hints ever needs.
MAX_ALIAS_VALUES = 10_000
ALIAS_BYTES = 4
MAX_DEPTH = 100  # nesting levels; no scenario needs more, and it bounds the recursion
MAX_YAML_BYTES = 64 * 2**20
_STR = "tag:yaml.org,2002:str"


@dataclass
class Source:
    """A parsed YAML document and where each part of it stands in the file."""

    path: Path
    text: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    spans: dict[PathKey, tuple[int, int, int]] = field(default_factory=dict)
    duplicates: list[tuple[PathKey, int]] = field(default_factory=list)
    # (path, line, message, fix) of every scalar whose value is not what its text shows
    changed: list[tuple[PathKey, int, str, str]] = field(default_factory=list)

    def line_of(self, path: PathKey) -> int:
        """Line of ``path`` or of its nearest ancestor that has one (1 at worst)."""
        probe = tuple(path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


def format_path(path: PathKey) -> str:
    """``('tasks', 2, 'answer')`` -> ``tasks[2].answer``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def read_text(path: Path) -> str:
    """The UTF-8 text of a YAML file; every way it can be unreadable is an InputError."""
    shown = show_path(path)
    if "\0" in str(path):
        raise InputError("the path contains a NUL byte", where=shown,
                         fix="name the file without control characters")
    try:
        # Non-blocking open: a FIFO named like a scenario must not hang 'dflab validate DIR'.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError("not a regular file", where=shown,
                                 fix="name a YAML file, not a folder or device")
            if os.fstat(fh.fileno()).st_size > MAX_YAML_BYTES:
                raise InputError(f"the file is larger than {MAX_YAML_BYTES // 2**20} MB",
                                 where=shown, fix="a scenario, profile or answer sheet is a "
                                 "small text file")
            raw = fh.read()
    except FileNotFoundError:
        raise InputError("file not found", where=shown, fix="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", where=shown) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {exc.start} is not UTF-8 text",
            where=f"{shown}:{line}",
            fix="save the file as UTF-8",
        ) from None


def load_source(path: Path) -> Source:
    """Parse one YAML file; a syntax error becomes an :class:`InputError` with its line."""
    return parse_source(read_text(path), path)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic garbage collection while a large document is built and validated.

    A 20,000-task scenario is about a million small objects (nodes, marks, values)
    with no cycles to speak of; the collector would walk the growing graph again
    and again, which made parsing alone grow with the square of the file's size.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_source(text: str, path: Path) -> Source:
    """Parse YAML ``text`` read from ``path`` (YAML 1.2 core schema, aliases bounded)."""
    shown = show_path(path)
    loader = CoreLoader(text)
    try:
        with gc_paused():
            node = loader.get_single_node()
            source = Source(path=path, text=text, data=None)
            if node is not None:
                source.data = _Builder(loader, source, shown).build(node, (), 0)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, shown) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {' '.join(str(exc).split())[:200]}",
                         where=shown) from None
    finally:
        loader.dispose()
    return source


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, shown: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    lines = text.splitlines()
    # libyaml reports a tab as an odd token, often on the line after the tab.
    for candidate in (line, line - 1):
        body = lines[candidate - 1] if 0 < candidate <= len(lines) else ""
        if "\t" in body[: len(body) - len(body.lstrip(" \t"))]:
            return InputError("a tab in the indentation: YAML allows only spaces there",
                              where=f"{shown}:{candidate}",
                              fix="replace the tab(s) at the start of that line by spaces")
    problem = exc.problem or exc.context or "not valid YAML"
    if isinstance(exc, yaml.constructor.ConstructorError):
        return InputError(f"{' '.join(problem.split())[:200]}", where=f"{shown}:{line}",
                          fix="remove the '!' tag: dflab reads plain YAML values only")
    if "\t" in problem or "'\\t'" in problem:
        return InputError("a tab where YAML expects spaces", where=f"{shown}:{line}",
                          fix="replace the tab by spaces")
    return InputError(
        f"YAML syntax error: {' '.join(problem.split())[:200]}",
        where=f"{shown}:{line}",
        fix="check indentation, colons and quotes on that line or the one before",
    )


class _Builder:
    """Builds plain Python data from the node graph, recording lines and spans.

    The node graph shares aliased nodes, but the data built here does not, so an
    alias bomb (``&a [*b, *b, ...]`` nested) would grow exponentially: the values
    an alias re-expands are counted and capped, and an alias inside its own
    anchor (a cycle) is refused.
    """

    def __init__(self, loader: Any, source: Source, shown: str) -> None:
        self.loader, self.source, self.shown = loader, source, shown
        self.built = 0
        self.budget = max(MAX_ALIAS_VALUES, len(source.text) // ALIAS_BYTES)
        self.distinct: set[int] = set()
        self.active: set[int] = set()

    def _fail(self, node: yaml.Node, message: str, fix: str) -> InputError:
        return InputError(message, where=f"{self.shown}:{node.start_mark.line + 1}", fix=fix)

    def _enter(self, node: yaml.Node, depth: int) -> None:
        self.built += 1
        self.distinct.add(id(node))
        if self.built - len(self.distinct) > self.budget:
            raise self._fail(node, f"aliases expand to more than {self.budget:,} values "
                             "(an alias bomb?)", "write the values out or use fewer nested "
                             "aliases (*name)")
        if depth > MAX_DEPTH:
            raise self._fail(node, f"values nested more than {MAX_DEPTH} levels deep",
                             "flatten the structure")
        if id(node) in self.active:
            raise self._fail(node, "an alias refers to a value that contains the alias itself",
                             "remove the alias (*name) from inside its own anchor (&name)")

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self._enter(node, depth)
        self.source.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            self.active.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node, path, depth)
                return self._sequence(node, path, depth)
            finally:
                self.active.discard(id(node))
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        source = self.source
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._fail(key_node, "a key must be a plain value, not a list or mapping",
                                 "write 'name: value'")
            child_line = key_node.start_mark.line + 1
            key = self._scalar(key_node, (*path, "(key)"))
            key = key if isinstance(key, str | int) else str(key)
            child = (*path, key)
            if key in result:
                source.duplicates.append((child, child_line))
            source.lines[child] = child_line
            source.spans[child] = (key_node.start_mark.index, value_node.start_mark.index,
                                   value_node.end_mark.index)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _sequence(self, node: yaml.SequenceNode, path: PathKey, depth: int) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            start = item.start_mark.index
            self.source.spans[child] = (start, start, item.end_mark.index)
            items.append(self.build(item, child, depth + 1))
        return items

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        # Text is most of a scenario: skip the constructor's bookkeeping for it.
        value = node.value if node.tag == _STR else self.loader.construct_object(node, deep=True)
        raw = node.value if not node.style else self.source.text[
            node.start_mark.index:node.end_mark.index]
        change = typed_change(node, value, raw) if isinstance(raw, str) else None
        if change is not None:
            where = path[:-1] if path and path[-1] == "(key)" else path
            self.source.changed.append((where, node.start_mark.line + 1, *change))
        # Dates (an explicit !!timestamp) stay text: a timestamp answer is judged by its checker.
        if hasattr(value, "isoformat"):
            return node.value
        return value
