"""Strict validation of YAML data against a pydantic model, errors mapped to lines."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from runner.scenario.problems import Collector, nearest
from runner.scenario.yamlsrc import PathKey

M = TypeVar("M", bound=BaseModel)


def validate_model(
    model: type[M], data: Any, out: Collector, base: PathKey = (), extra_keys: tuple[str, ...] = ()
) -> M | None:
    """Validate ``data``; on failure add one problem per pydantic error and return None."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
            path = (*base, *loc)
            message, fix = _explain(model, error, loc, extra_keys)
            out.add(path, message, fix)
        return None


def _is_union_tag(part: Any) -> bool:
    # pydantic adds the union member it tried (e.g. 'str', 'dict[str,str]') to loc
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "FileRef"))


def _explain(model: type[BaseModel], error: Any, loc: tuple[Any, ...], extra: tuple[str, ...]
             ) -> tuple[str, str]:
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        allowed = [*_fields_at(model, loc[:-1]), *extra]
        near = nearest(name, allowed)
        fix = f"did you mean '{near}'?" if near else f"valid keys: {', '.join(sorted(allowed))}"
        return f"unknown key '{name}'", fix
    if kind == "missing":
        name = str(loc[-1]) if loc else "?"
        return f"'{name}' is required", f"add '{name}:'"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['msg'].lower()}", f"use {expected}"
    if kind == "string_pattern_mismatch":
        field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        return f"{error['input']!r:.60} is not a valid {field or 'value'}", _PATTERN_FIX.get(
            field, "use lower-case letters, digits and '-'")
    return f"{error['msg']} (got {error.get('input')!r:.60})", "correct the value"


_PATTERN_FIX = {
    "sha256": "write the file's 64-hex-digit SHA-256 (sha256sum FILE)",
    "name": "use letters, digits, '.', '_' and '-' only (a plain file name)",
    "id": "use lower-case letters, digits, '-' and '_', starting with a letter or digit",
    "requires": "name task ids: lower-case letters, digits, '-' and '_'",
    "lab": "name a profile in labs/ (lower-case letters, digits, '-')",
}


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Names of the fields valid at ``loc`` inside ``model``, for suggestions."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(tp: Any) -> Any:
    """Strip Optional/list/Annotated to reach a model class when there is one."""
    for _ in range(5):
        origin = get_origin(tp)
        if origin in (list, tuple, typing.Annotated):
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            models = [a for a in get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else tp
            if not models:
                return tp
        else:
            return tp
    return tp
