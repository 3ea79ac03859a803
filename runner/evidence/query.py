"""Fact queries: expected answers computed from the evidence, with provenance.

A query in a scenario names a fact table, filters its rows, and picks a field::

    expected: {from: http.objects, where: {uri: '~\\.exe$'}, select: sha256}

* ``from``: a table ``analyzer.table`` (``dflab facts --tables`` lists them).
* ``where``: field -> condition, all must hold. A plain value means equality; a
  string starting with ``~`` is a regular expression searched in the field's text;
  a mapping applies operators: ``eq ne gt ge lt le`` (numbers or text), ``regex``,
  ``in`` (a list), ``contains`` (substring), several at once meaning all.
* ``select``: the field whose values are the answer (several for a record answer).
* ``pick``: ``unique`` (default: distinct values in capture order), ``all``,
  ``first``, ``last``, or an aggregate: ``count`` (number of matching rows),
  ``count_distinct``, ``min``, ``max``, ``sum``.
* ``sort``, ``take``, ``extract``, ``also``: see :mod:`runner.evidence.aggregate`.
* ``where`` may also compare with another task's key: ``{answer_of: TASK}`` (the
  caller replaces it by ``{in: [that key's values]}`` before resolving).
* ``evidence``: which capture, when a scenario has several (resolved by the caller).

Docs with examples: ``docs/facts.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner import __version__
from runner.errors import InputError
from runner.evidence.aggregate import (
    AGGREGATES,
    PICKS,
    extract,
    pick,
    select_values,
    sort_fields,
    sort_rows,
    with_also,
)
from runner.evidence.analyzers.base import Field, Row
from runner.evidence.analyzers.registry import all_analyzers, all_tables, table_fields
from runner.evidence.cache import load_facts

KEYS = frozenset({"from", "where", "select", "pick", "evidence", "sort", "take", "extract",
                  "also"})
OPERATORS = frozenset({"eq", "ne", "gt", "ge", "lt", "le", "regex", "in", "contains",
                       "answer_of"})
__all__ = ["AGGREGATES", "PICKS", "Resolved", "check_query", "matches", "resolve_query"]
_NUMERIC_OPS = frozenset({"gt", "ge", "lt", "le"})
# Characters that only make sense in a pattern: a plain value holding them was
# almost certainly meant as a regular expression and would silently match nothing.
_LOOKS_LIKE_REGEX = re.compile(r"\\[.dwsbDWS]|^\^|\$$|\.\*|\.\+|\[[^\]]+\]|\(\?")


@dataclass(frozen=True)
class Resolved:
    """The answer a query computes from one capture.

    Attributes:
        values: JSON scalars in capture order; ``(n,)`` for ``pick: count``.
        provenance: analyzer, table, dflab version, evidence hash, and the query.
    """

    values: tuple[Any, ...]
    provenance: dict[str, Any]


def check_query(spec: Mapping[str, Any], *, several: bool = False) -> list[str]:
    """List every problem of a query without reading any capture; [] when it is usable.

    ``several``: ``select`` may name several fields (the answer type checks how many).
    """
    if not isinstance(spec, Mapping):
        return ["a fact query must be a mapping with 'from' and 'select'"]
    problems = [
        f"unknown key {key!r} (allowed: {', '.join(sorted(KEYS))})"
        for key in spec
        if key not in KEYS
    ]
    table = spec.get("from")
    fields = table_fields(table) if isinstance(table, str) else None
    if fields is None:
        problems.append(f"unknown table {table!r} (fix: use one of {', '.join(all_tables())})")
        return problems
    by_name = {f.name: f for f in fields}
    pick = spec.get("pick", "unique")
    if pick not in PICKS:
        problems.append(f"unknown pick {pick!r} (allowed: {', '.join(PICKS)})")
    problems += _check_select(spec.get("select"), pick, several, str(table), by_name)
    problems += _check_shaping(spec, str(table), by_name)
    where = spec.get("where", {})
    if not isinstance(where, Mapping):
        problems.append("'where' must be a mapping of field to condition")
        return problems
    for name, cond in where.items():
        if name not in by_name:
            problems.append(_unknown_field(str(table), name, by_name))
            continue
        problems.extend(f"where.{name}: {p}" for p in _check_condition(cond, by_name[name]))
    return problems


def _check_select(select: Any, pick: object, several: bool, table: str,
                  by_name: Mapping[str, Field]) -> list[str]:
    if select is None:
        return [] if pick == "count" else [
            "'select' is missing: name the field whose values are the answer"]
    if isinstance(select, list | Mapping):
        if not several:
            return ["'select' names one field here"]
        names = list(select.values()) if isinstance(select, Mapping) else select
        if not names:
            return ["'select' lists no field"]
        return [_unknown_field(table, n, by_name) for n in names if n not in by_name]
    return [] if select in by_name else [_unknown_field(table, select, by_name)]


def _check_shaping(spec: Mapping[str, Any], table: str, by_name: Mapping[str, Field]
                   ) -> list[str]:
    """Problems of ``sort``, ``take``, ``extract``."""
    problems = []
    if "sort" in spec:
        sort = spec["sort"]
        if not isinstance(sort, str | list) or not sort:
            problems.append("'sort' names a field (-field for descending) or a list of them")
        else:
            problems += [_unknown_field(table, f, by_name) for f in sort_fields(sort)
                         if f not in by_name]
    take = spec.get("take")
    if take is not None and (not isinstance(take, int) or isinstance(take, bool) or take < 1):
        problems.append(f"'take' needs a whole number of at least 1, got {take!r}")
    if "extract" in spec:
        pattern = spec["extract"]
        bad = _check_regex(pattern)
        problems += bad
        if isinstance(spec.get("select"), list | Mapping):
            problems.append("'extract' applies to one selected field")
        elif not bad and re.compile(str(pattern)).groups > 1 and \
                "value" not in re.compile(str(pattern)).groupindex:
            problems.append("'extract' has several groups: name the wanted one (?P<value>...)")
    return problems


def _unknown_field(table: str, name: object, by_name: Mapping[str, Field]) -> str:
    return f"table {table} has no field {name!r} (fields: {', '.join(by_name)})"


def _check_condition(cond: Any, field: Field) -> list[str]:
    if isinstance(cond, str):
        if cond.startswith("~"):
            return _check_regex(cond[1:])
        if _LOOKS_LIKE_REGEX.search(cond):
            return [
                f"{cond!r} looks like a regular expression but would be compared for "
                f"equality (fix: write '~{cond}' or {{regex: '{cond}'}})"
            ]
        return []
    if isinstance(cond, Mapping):
        problems = [
            f"unknown operator {op!r} (allowed: {', '.join(sorted(OPERATORS))})"
            for op in cond
            if op not in OPERATORS
        ]
        for op, value in cond.items():
            if op in _NUMERIC_OPS and field.type in ("int", "float") and not _is_number(value):
                problems.append(f"{op} needs a number, got {value!r}")
            if op == "regex":
                problems.extend(_check_regex(value))
            if op == "in" and not isinstance(value, list) and not _lone_placeholder(value):
                problems.append("in needs a list (or a lone {{story.list}} placeholder)")
            if op == "answer_of" and not isinstance(value, str):
                problems.append("answer_of needs a task id")
        return problems
    if isinstance(cond, list):
        return ["a list is not a condition (fix: use {in: [...]})"]
    return []


def _lone_placeholder(value: object) -> bool:
    """A ``{{name}}`` alone: a generated scenario fills it in with the story's list
    (``in: "{{ledger.path}}"``) before the query runs."""
    return isinstance(value, str) and re.fullmatch(r"\s*\{\{[^{}]+\}\}\s*", value) is not None


def _check_regex(pattern: object) -> list[str]:
    try:
        re.compile(str(pattern))
    except re.error as exc:
        return [f"bad regular expression {pattern!r}: {exc}"]
    return []


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def resolve_query(
    spec: Mapping[str, Any], capture: Path, *, cache_dir: Path | None = None
) -> Resolved:
    """Compute a query's answer from a capture (facts cached by the capture's SHA-256).

    Raises:
        InputError: the query has problems (all listed in the message).
        CaptureError: the capture cannot be read.
    """
    problems = check_query(spec, several=True)
    if problems:
        raise InputError(
            "fact query is invalid: " + "; ".join(problems), where=str(spec.get("from"))
        )
    table = str(spec["from"])
    analyzer = table.split(".", 1)[0]
    facts, sha256 = load_facts(capture, cache_dir=cache_dir, tables=[table])
    rows = [row for row in facts.tables.get(table, []) if matches(row, spec.get("where") or {})]
    values = shape(rows, spec)
    provenance = {
        "analyzer": analyzer,
        "analyzer_version": all_analyzers()[analyzer].version,
        "table": table,
        "kind": facts.kind,
        "dflab_version": __version__,
        "evidence": Path(capture).name,
        "evidence_sha256": sha256,
        "query": dict(spec),
        "rows_matched": len(rows),
    }
    return Resolved(values, provenance)


def shape(rows: list[Row], spec: Mapping[str, Any]) -> tuple[Any, ...]:
    """The answer from the matching rows: sort, select, extract, pick, take, also."""
    if spec.get("sort"):
        rows = sort_rows(rows, spec["sort"])
    values = select_values(rows, spec.get("select")) if spec.get("select") else []
    if "extract" in spec:
        values = extract(values, str(spec["extract"]))
    how = str(spec.get("pick", "unique"))
    values = pick(values, len(rows), how)
    if spec.get("take") and how not in AGGREGATES:
        values = values[: int(spec["take"])]
    return tuple(with_also(values, spec.get("also")))


def matches(row: Row, where: Mapping[str, Any]) -> bool:
    """Whether a row satisfies every condition of a ``where`` mapping."""
    return all(_holds(row.get(name), cond) for name, cond in where.items())


def _holds(value: Any, cond: Any) -> bool:
    if isinstance(cond, str) and cond.startswith("~"):
        return re.search(cond[1:], _text(value)) is not None
    if isinstance(cond, Mapping):
        return all(_op(op, value, arg) for op, arg in cond.items())
    return _equal(value, cond)


def _op(op: str, value: Any, arg: Any) -> bool:
    if op == "eq":
        return _equal(value, arg)
    if op == "ne":
        return not _equal(value, arg)
    if op == "regex":
        return re.search(str(arg), _text(value)) is not None
    if op == "in":
        return any(_equal(value, item) for item in arg)
    if op == "contains":
        return str(arg) in _text(value)
    try:
        if op == "gt":
            return bool(value > arg)
        if op == "ge":
            return bool(value >= arg)
        if op == "lt":
            return bool(value < arg)
        if op == "le":
            return bool(value <= arg)
    except TypeError:
        return False
    return False


def _equal(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected or value == expected
    if _is_number(value) and isinstance(expected, str):
        return str(value) == expected.strip()
    return bool(value == expected)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
