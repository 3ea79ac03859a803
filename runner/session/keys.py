"""Answer keys: resolved on the host when a session starts, stored with provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner import __version__
from runner.checkers.base import Key
from runner.errors import InputError
from runner.scenario.loader import LoadedScenario
from runner.scenario.refs import substitute

Resolved = tuple[Key, dict[str, Any]]


def resolve_keys(loaded: LoadedScenario, cache_dir: Path | None = None
                 ) -> dict[str, Resolved]:
    """Every task's key: literal from the scenario, a story value of the variant, or
    computed from the evidence."""
    keys: dict[str, Resolved] = {}
    return {task.id: _resolve(loaded, task.id, cache_dir, keys) for task in loaded.model.tasks}


def resolve_key(loaded: LoadedScenario, task_id: str, cache_dir: Path | None = None
                ) -> Resolved:
    """One task's key with its provenance (and the keys it reuses)."""
    return _resolve(loaded, task_id, cache_dir, {})


def _resolve(loaded: LoadedScenario, task_id: str, cache_dir: Path | None,
             keys: dict[str, Resolved]) -> Resolved:
    # Depth first: a key reusing another task's answer needs that key first (the
    # loader refused cycles).
    if task_id in keys:
        return keys[task_id]
    compiled = loaded.answers[task_id]
    variant = loaded.variant.provenance() if loaded.variant is not None else {}
    if compiled.literal is not None:
        keys[task_id] = (compiled.literal, {"source": "scenario", "scenario_sha256":
                                            loaded.sha256, "dflab_version": __version__,
                                            **variant})
    elif compiled.story is not None:
        keys[task_id] = story_key(loaded, task_id, compiled.story)
    elif compiled.query is not None and "answer_of" in compiled.query:
        from runner.evidence.aggregate import with_also

        other, provenance = _resolve(loaded, str(compiled.query["answer_of"]), cache_dir, keys)
        values = with_also(list(other.values), compiled.query.get("also"))
        keys[task_id] = (Key(values=tuple(values), sealed=other.sealed),
                         {**provenance, "answer_of": compiled.query["answer_of"]})
    else:
        assert compiled.query is not None
        query = substitute(compiled.query,
                           lambda ref: _resolve(loaded, ref, cache_dir, keys)[0].values)
        keys[task_id] = resolve_query_key(loaded, task_id, query, cache_dir)
    return keys[task_id]


def story_key(loaded: LoadedScenario, task_id: str, name: str) -> Resolved:
    """The key a story value gives in this variant (a list is a set of values)."""
    from runner.generate.variables import lookup

    if loaded.variant is None:
        raise InputError(f"task '{task_id}': its key is a story value, and no variant was "
                         "generated", where=str(loaded.path),
                         fix="give the variant's seed (--seed S; the gradebook lists each "
                         "seat's)")
    try:
        value = lookup(loaded.variant.values, name)
    except KeyError:
        raise InputError(f"task '{task_id}': 'story: {name}' names no story value",
                         where=str(loaded.path),
                         fix="name a variable, host or event of the story ('dflab variant "
                         "SCENARIO --out DIR' writes them all to DIR/variant.json)") from None
    values = value if isinstance(value, list) else [value]
    if not values or any(isinstance(v, (dict, list)) or v is None for v in values):
        raise InputError(f"task '{task_id}': story value '{name}' is not a plain value",
                         where=str(loaded.path),
                         fix="name one of its fields, e.g. 'select: sha256'")
    provenance = {"source": "story", "value": name, "scenario_sha256": loaded.sha256,
                  "dflab_version": __version__, **loaded.variant.provenance()}
    return Key(values=tuple(values)), provenance


def resolve_query_key(loaded: LoadedScenario, task_id: str, query: Any,
                      cache_dir: Path | None = None) -> Resolved:
    """What a fact query finds in the scenario's (or variant's) evidence, as a key."""
    from runner.evidence.query import resolve_query

    wanted = query.get("evidence")
    captures = [e for e in loaded.evidence if wanted in (None, e.name)]
    if not captures:
        raise InputError(f"task '{task_id}': the query names evidence '{wanted}' that the "
                         "scenario does not list", where=str(loaded.path),
                         fix="use the 'name' of one of the scenario's evidence files")
    resolved = resolve_query(query, captures[0].path, cache_dir=cache_dir)
    provenance = {"source": "evidence", **resolved.provenance}
    if loaded.variant is not None:
        provenance.update(loaded.variant.provenance())
    return Key(values=tuple(resolved.values)), provenance


def key_to_json(key: Key) -> dict[str, Any]:
    return {"values": list(key.values), "sealed": list(key.sealed)}


def key_from_json(data: dict[str, Any]) -> Key:
    return Key(values=tuple(data.get("values", ())), sealed=tuple(data.get("sealed", ())))
