"""YAML reading that remembers where every value came from.

Trainers fix what they can find: every key and value keeps its line, and the
byte span of its text so ``dflab seal`` can rewrite one value without losing
the file's comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runner.errors import InputError

PathKey = tuple[str | int, ...]


@dataclass
class Source:
    """A parsed YAML document and where each part of it stands in the file."""

    path: Path
    text: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    spans: dict[PathKey, tuple[int, int, int]] = field(default_factory=dict)
    duplicates: list[tuple[PathKey, int]] = field(default_factory=list)

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
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", where=str(path), fix="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", where=str(path)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {exc.start} is not UTF-8 text",
            where=f"{path}:{line}",
            fix="save the file as UTF-8",
        ) from None


def load_source(path: Path) -> Source:
    """Parse one YAML file; a syntax error becomes an :class:`InputError` with its line."""
    text = read_text(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        source = Source(path=path, text=text, data=None)
        source.data = _build(node, (), source, loader) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "not valid YAML"
        raise InputError(
            f"YAML syntax error: {problem}",
            where=f"{path}:{line}",
            fix="check indentation, colons and quotes on that line or the one before",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", where=str(path)) from None
    finally:
        loader.dispose()
    return source


# libyaml parses several times faster and keeps the same marks (line and index),
# which matters on every 'dflab start'; the pure-Python loader is the fallback.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _build(node: yaml.Node, path: PathKey, source: Source, loader: Any) -> Any:
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, str | int) else str(key)
            child = (*path, key)
            if key in result:
                source.duplicates.append((child, key_node.start_mark.line + 1))
            source.lines[child] = key_node.start_mark.line + 1
            source.spans[child] = (
                key_node.start_mark.index,
                value_node.start_mark.index,
                value_node.end_mark.index,
            )
            result[key] = _build(value_node, child, source, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            start = item.start_mark.index
            source.spans[child] = (start, start, item.end_mark.index)
            items.append(_build(item, child, source, loader))
        return items
    value = loader.construct_object(node, deep=True)
    # Dates become strings: a timestamp answer is judged by its checker, not by YAML.
    if hasattr(value, "isoformat"):
        return node.value
    return value
