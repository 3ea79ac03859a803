"""Keys that reuse another task's answer: ``{answer_of: TASK}``, whole or in a ``where``.

The loader checks the references (known task, no cycle, plain values where a query
compares with them); :func:`substitute` turns them into ``in`` conditions when keys
are resolved, in dependency order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runner.scenario.compile import CompiledAnswer
from runner.scenario.problems import Collector


def references(query: Mapping[str, Any] | None) -> list[tuple[str, bool]]:
    """The tasks a computed key refers to, each with whether it is used in a ``where``."""
    if not query:
        return []
    if "answer_of" in query:
        return [(str(query["answer_of"]), False)]
    where = query.get("where")
    found = []
    for cond in (where.values() if isinstance(where, Mapping) else ()):
        if isinstance(cond, Mapping) and "answer_of" in cond:
            found.append((str(cond["answer_of"]), True))
    return found


def substitute(query: Mapping[str, Any], key_of: Callable[[str], tuple[Any, ...]]
               ) -> dict[str, Any]:
    """The query with each ``{answer_of: TASK}`` condition replaced by ``{in: values}``."""
    where = query.get("where")
    if not isinstance(where, Mapping):
        return dict(query)
    new = {}
    for name, cond in where.items():
        if isinstance(cond, Mapping) and "answer_of" in cond:
            rest = {op: arg for op, arg in cond.items() if op != "answer_of"}
            new[name] = {**rest, "in": list(key_of(str(cond["answer_of"])))}
        else:
            new[name] = cond
    return {**query, "where": new}


def check_references(ids: list[str], answers: Mapping[str, CompiledAnswer],
                     out: Collector) -> None:
    """Unknown tasks, sealed keys compared in a query, and cycles, each at its task."""
    graph: dict[str, list[str]] = {}
    for index, task_id in enumerate(ids):
        compiled = answers.get(task_id)
        at = ("tasks", index, "answer", "expected")
        for ref, in_where in references(compiled.query if compiled else None):
            if ref not in ids:
                out.add(at, f"answer_of names unknown task '{ref}'",
                        f"use one of: {', '.join(ids)}")
                continue
            if ref not in answers:
                continue  # that task's own answer spec is in error, reported there
            literal = answers[ref].literal
            if in_where and answers[ref].checker.name == "record":
                out.add(at, f"task '{ref}' is a record: a field cannot equal a whole record",
                        "compare with a task whose answer is one value (or a set of them)")
            if in_where and literal is not None and literal.sealed:
                out.add(at, f"task '{ref}' has a sealed key: a query cannot compare with it",
                        "compare with a task whose key is plain or computed")
            graph.setdefault(task_id, []).append(ref)
    cycle = _cycle(graph)
    if cycle:
        out.add(("tasks", ids.index(cycle[0]), "answer", "expected"),
                "answer_of references form a cycle: " + " -> ".join(cycle),
                "remove one of the references")


def _cycle(graph: Mapping[str, list[str]]) -> list[str]:
    """One cycle of the reference graph as a trail of task ids, or []."""
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> list[str]:
        if node in trail:
            return [*trail[trail.index(node):], node]
        if node in done:
            return []
        for nxt in graph.get(node, []):
            found = visit(nxt, [*trail, node])
            if found:
                return found
        done.add(node)
        return []

    for start in graph:
        found = visit(start, [])
        if found:
            return found
    return []
