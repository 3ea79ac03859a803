"""The last steps of a fact query: sort, select, extract, pick (or aggregate), take, also.

Order of the steps, after ``where`` has kept the matching rows:

1. ``sort``: a field, ``-field`` for descending, or a list of these (rows without a
   value go last; numbers sort as numbers).
2. ``select``: one field; for a record answer a list of fields (part order) or a
   mapping part -> field, giving one mapping per row.
3. ``extract``: a regular expression applied to each selected text; the value becomes
   its group ``value`` or its first group (or the whole match); rows it does not
   match are dropped.
4. ``pick``: ``unique`` (distinct, in order), ``all``, ``first``, ``last``, or an
   aggregate: ``count`` (rows), ``count_distinct``, ``min``, ``max``, ``sum``.
5. ``take``: keep the first N values (after ``unique``/``all``).
6. ``also``: more accepted values appended to the key (other forms of the answer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from runner.evidence.analyzers.base import Row

PICKS = ("unique", "all", "first", "last", "count", "count_distinct", "min", "max", "sum")
AGGREGATES = frozenset({"count", "count_distinct", "min", "max", "sum"})


def sort_fields(sort: Any) -> list[str]:
    """The field names a ``sort`` names (without the ``-`` of descending order)."""
    items = sort if isinstance(sort, list) else [sort]
    return [str(item).lstrip("-") for item in items]


def sort_rows(rows: list[Row], sort: Any) -> list[Row]:
    """Rows ordered by ``sort`` (stable: equal rows keep capture order)."""
    items = sort if isinstance(sort, list) else [sort]
    for item in reversed(items):
        name = str(item)
        descending = name.startswith("-")
        name = name.lstrip("-")
        present = [r for r in rows if r.get(name) not in (None, "")]
        absent = [r for r in rows if r.get(name) in (None, "")]
        present.sort(key=_by(name), reverse=descending)
        rows = present + absent
    return rows


def _by(name: str) -> Callable[[Row], tuple[int, Any]]:
    return lambda row: _sort_key(row.get(name))


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


def select_values(rows: list[Row], select: Any) -> list[Any]:
    """One value per row: a field's value, or a mapping for several fields."""
    if isinstance(select, list):
        return [{str(f): row.get(str(f)) for f in select} for row in rows]
    if isinstance(select, Mapping):
        return [{str(k): row.get(str(f)) for k, f in select.items()} for row in rows]
    return [row.get(str(select)) for row in rows]


def extract(values: list[Any], pattern: str) -> list[Any]:
    """The part of each value a regular expression picks out; non-matching values dropped."""
    regex = re.compile(pattern)
    out = []
    for value in values:
        if isinstance(value, dict):
            continue  # several fields: extract applies to one field only (checked earlier)
        match = regex.search("" if value is None else str(value))
        if match is None:
            continue
        if "value" in regex.groupindex:
            out.append(match.group("value"))
        else:
            out.append(match.group(1) if regex.groups else match.group(0))
    return out


def pick(values: list[Any], rows: int, how: str) -> list[Any]:
    """Apply ``pick`` to the selected values (``rows``: how many rows matched)."""
    if how == "count":
        return [rows]
    if how == "count_distinct":
        return [len({_hashable(v) for v in values if v not in (None, "")})]
    if how in ("min", "max", "sum"):
        return _aggregate([v for v in values if v not in (None, "")], how)
    if how == "first":
        return values[:1]
    if how == "last":
        return values[-1:]
    if how == "all":
        return values
    seen: dict[Any, Any] = {}
    for value in values:
        seen.setdefault(_hashable(value), value)
    return list(seen.values())


def _aggregate(values: list[Any], how: str) -> list[Any]:
    if not values:
        return [0] if how == "sum" else []
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if how == "sum":
        return [sum(numbers)]
    pool: list[Any] = numbers if len(numbers) == len(values) else [str(v) for v in values]
    return [min(pool) if how == "min" else max(pool)]


def _hashable(value: Any) -> Any:
    return tuple(value.items()) if isinstance(value, dict) else value


def with_also(values: list[Any], also: Any) -> list[Any]:
    """The key's values followed by the extra accepted values not already in it."""
    extra = also if isinstance(also, list) else [] if also is None else [also]
    have = {_hashable(v) for v in values}
    return values + [v for v in extra if _hashable(v) not in have]
