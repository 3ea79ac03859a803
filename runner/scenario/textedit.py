"""Write one translation into a scenario's YAML text without touching anything else.

Like ``dflab seal``, only the spans of changed values are rewritten (the byte
spans :mod:`runner.scenario.yamlsrc` records), so comments, key order and layout
stay. The result is parsed again and compared with the intended data: an edit
that would change anything but the texts is refused.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from runner.errors import InputError
from runner.scenario.yamlsrc import PathKey, Source, parse_source

Edit = tuple[int, int, str]


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _get(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _column(text: str, index: int) -> int:
    return index - text.rfind("\n", 0, index) - 1


def _end(text: str, start: int, end: int) -> int:
    return start + len(text[start:end].rstrip())


def translation_edit(source: Source, path: PathKey, lang: str, value: str) -> Edit:
    """The one edit that sets the ``lang`` text of the field at ``path`` to ``value``."""
    text = source.text
    node = _get(source.data, path)
    if isinstance(node, dict) and lang in node:
        _, start, end = source.spans[(*path, lang)]
        return start, _end(text, start, end), quoted(value)
    if isinstance(node, dict):
        last = list(node)[-1]
        key_start, start, end = source.spans[(*path, last)]
        at = _end(text, start, end)
        if text[at:].lstrip(" ").startswith(("}", ",")):  # a flow mapping {en: ..., uk: ...}
            return at, at, f", {lang}: {quoted(value)}"
        return at, at, "\n" + " " * _column(text, key_start) + f"{lang}: {quoted(value)}"
    _, start, end = source.spans[path]
    # A plain (English) string becomes a flow mapping: valid wherever the string stood.
    return start, _end(text, start, end), f"{{en: {quoted(str(node))}, {lang}: {quoted(value)}}}"


def apply_translations(source: Source, changes: list[tuple[PathKey, str, str]]) -> str:
    """The file's text with each (path, lang, value) set; checked by parsing it again."""
    edits = sorted((translation_edit(source, p, lang, v) for p, lang, v in changes),
                   reverse=True)
    text = source.text
    for start, end, new in edits:
        text = text[:start] + new + text[end:]
    want = copy.deepcopy(source.data)
    for path, lang, value in changes:
        parent = _get(want, path[:-1])
        node = parent[path[-1]]
        if isinstance(node, dict):
            node[lang] = value
        else:
            parent[path[-1]] = {"en": node, lang: value}
    got = parse_source(text, source.path).data
    if got != want:
        raise InputError("merging the translation would change more than the texts",
                         where=str(source.path), fix="report this file's layout to dflab's "
                         "authors; edit the YAML by hand meanwhile")
    return text
