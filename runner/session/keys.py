"""Answer keys: resolved on the host when a session starts, stored with provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner import __version__
from runner.checkers.base import Key
from runner.errors import InputError
from runner.scenario.loader import LoadedScenario
from runner.scenario.refs import substitute


def resolve_keys(loaded: LoadedScenario, cache_dir: Path | None = None
                 ) -> dict[str, tuple[Key, dict[str, Any]]]:
    """Every task's key: literal from the scenario, or computed from the evidence."""
    keys: dict[str, tuple[Key, dict[str, Any]]] = {}

    def resolve(task_id: str) -> tuple[Key, dict[str, Any]]:
        # Depth first: a key reusing another task's answer needs that key first (the
        # loader refused cycles).
        if task_id in keys:
            return keys[task_id]
        compiled = loaded.answers[task_id]
        if compiled.literal is not None:
            keys[task_id] = (compiled.literal, {"source": "scenario", "scenario_sha256":
                                                loaded.sha256, "dflab_version": __version__})
        elif compiled.query is not None and "answer_of" in compiled.query:
            from runner.evidence.aggregate import with_also

            other, provenance = resolve(str(compiled.query["answer_of"]))
            values = with_also(list(other.values), compiled.query.get("also"))
            keys[task_id] = (Key(values=tuple(values), sealed=other.sealed),
                             {**provenance, "answer_of": compiled.query["answer_of"]})
        else:
            assert compiled.query is not None
            query = substitute(compiled.query, lambda ref: resolve(ref)[0].values)
            keys[task_id] = _resolve_query(loaded, task_id, query, cache_dir)
        return keys[task_id]

    return {task.id: resolve(task.id) for task in loaded.model.tasks}


def _resolve_query(loaded: LoadedScenario, task_id: str, query: Any, cache_dir: Path | None
                   ) -> tuple[Key, dict[str, Any]]:
    from runner.evidence.query import resolve_query

    wanted = query.get("evidence")
    captures = [e for e in loaded.evidence if wanted in (None, e.name)]
    if not captures:
        raise InputError(f"task '{task_id}': the query names evidence '{wanted}' that the "
                         "scenario does not list", where=str(loaded.path),
                         fix="use the 'name' of one of the scenario's evidence files")
    resolved = resolve_query(query, captures[0].path, cache_dir=cache_dir)
    provenance = {"source": "evidence", **resolved.provenance}
    return Key(values=tuple(resolved.values)), provenance


def key_to_json(key: Key) -> dict[str, Any]:
    return {"values": list(key.values), "sealed": list(key.sealed)}


def key_from_json(data: dict[str, Any]) -> Key:
    return Key(values=tuple(data.get("values", ())), sealed=tuple(data.get("sealed", ())))
