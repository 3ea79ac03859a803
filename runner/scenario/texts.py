"""The translatable texts of a scenario or course: where they are and in which languages.

A text field holds a plain string (English) or a map of language code to text.
:func:`text_fields` walks the parsed YAML data and yields each such field's path
(e.g. ``("tasks", 2, "hints", 0, "text")``), the path a PO file uses as context.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from runner.scenario.yamlsrc import PathKey

SOURCE_LANG = "en"
# Text fields per mapping kind; lists of texts are walked item by item.
_TOP = ("title", "description", "audience", "notes")
_TOP_LISTS = ("objectives", "prerequisites")
_TASK = ("question", "explanation", "notes")


def text_fields(data: Any) -> Iterator[tuple[PathKey, Any]]:
    """Each translatable field of a scenario's (or course's) data, with its value."""
    if not isinstance(data, dict):
        return
    yield from _fields(data, (), _TOP, _TOP_LISTS)
    for i, ev in enumerate(_list(data.get("evidence"))):
        yield from _fields(ev, ("evidence", i), ("description",), ())
    for i, task in enumerate(_list(data.get("tasks"))):
        yield from _fields(task, ("tasks", i), _TASK, ())
        for j, hint in enumerate(_list(task.get("hints") if isinstance(task, dict) else None)):
            yield from _fields(hint, ("tasks", i, "hints", j), ("text",), ())
    for d, day in enumerate(_list(data.get("days"))):
        yield from _fields(day, ("days", d), ("title",), ("objectives",))
        for k, item in enumerate(_list(day.get("scenarios") if isinstance(day, dict) else None)):
            yield from _fields(item, ("days", d, "scenarios", k), (), ("objectives",))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _fields(node: Any, base: PathKey, keys: tuple[str, ...], lists: tuple[str, ...]
            ) -> Iterator[tuple[PathKey, Any]]:
    if not isinstance(node, dict):
        return
    for key in keys:
        if _is_text(node.get(key)) and node.get(key) != "":
            yield (*base, key), node[key]
    for key in lists:
        for n, item in enumerate(_list(node.get(key))):
            if _is_text(item):
                yield (*base, key, n), item


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and bool(value) and all(isinstance(v, str) for v in value.values()))


def text_in(value: Any, lang: str) -> str | None:
    """The text of one field in ``lang`` (a plain string is English), or None."""
    if isinstance(value, str):
        return value if lang == SOURCE_LANG else None
    got = value.get(lang)
    return got if isinstance(got, str) and got.strip() else None


def languages_of(data: Any) -> dict[str, int]:
    """How many text fields each language covers."""
    counts: dict[str, int] = {}
    for _path, value in text_fields(data):
        for code in ([SOURCE_LANG] if isinstance(value, str) else list(value)):
            if text_in(value, code) is not None:
                counts[code] = counts.get(code, 0) + 1
    return counts


def complete_languages(data: Any) -> list[str]:
    """Codes of the languages every text field is written in (English first)."""
    total = sum(1 for _ in text_fields(data))
    codes = [c for c, n in languages_of(data).items() if n == total and total]
    return sorted(codes, key=lambda c: (c != SOURCE_LANG, c))


def source_hash(text: str) -> str:
    """A short fingerprint of an English source text (whitespace-insensitive)."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


def path_key(path: PathKey) -> str:
    """``("tasks", 2, "question")`` as ``tasks.2.question`` (a PO context)."""
    return ".".join(str(p) for p in path)


def parse_path_key(text: str) -> PathKey:
    return tuple(int(p) if p.isdigit() else p for p in text.split("."))
