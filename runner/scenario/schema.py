"""JSON Schema of the scenario format, with every checker's parameters, for editors."""

from __future__ import annotations

from typing import Any

from runner.checkers import registry
from runner.scenario.model import Scenario

EXPECTED_SCHEMA: dict[str, Any] = {
    "description": "A value, a list of accepted values (the members, for 'set'), a sealed "
    "value 'sealed:sha256:...', a fact query {from, where, select, pick}, or a story value "
    "of the trainee's variant {story: NAME.FIELD, select: FIELD}.",
    "anyOf": [
        {"type": "object", "required": ["story"], "additionalProperties": False,
         "properties": {"story": {"type": "string", "description": "A story value: a "
                                  "variable, a host field or an event field (attacker.ip)."},
                        "select": {"type": "string",
                                   "description": "A field of a mapping value."}}},
        {"type": ["string", "number", "integer", "boolean"]},
        {"type": "array"},
        {"type": "object", "required": ["from"],
         "properties": {"from": {"type": "string"}, "where": {"type": "object"},
                        "select": {"type": "string"},
                        "pick": {"enum": ["first", "all", "unique", "count"]},
                        "evidence": {"type": "string"}}},
    ],
}


CHECK_SCHEMA: dict[str, Any] = {
    "description": "With expected: {story: ...}: a fact query over the generated evidence "
    "whose result 'dflab verify --variants N' requires the task's checker to accept.",
    "type": "object", "required": ["from"],
}


def scenario_schema() -> dict[str, Any]:
    """The full JSON Schema (draft 2020-12) of a version-1 scenario file."""
    schema = Scenario.model_json_schema()
    defs = schema.setdefault("$defs", {})
    variants = []
    for checker in registry().all():
        params = checker.Params.model_json_schema()
        for name, sub in params.pop("$defs", {}).items():
            defs[f"{checker.name}_{name}"] = sub
        props = _retarget(params.get("properties", {}), checker.name)
        variants.append({
            "title": f"answer type '{checker.name}'",
            "description": checker.summary,
            "type": "object",
            "properties": {"type": {"const": checker.name}, "expected": EXPECTED_SCHEMA,
                           "check": CHECK_SCHEMA, **props},
            "required": ["type", "expected"],
            "additionalProperties": False,
        })
    defs["Task"]["properties"]["answer"] = {"oneOf": variants,
                                           "description": "How the answer is judged."}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://dflab.invalid/schema/scenario-v1.json"
    return schema


def _retarget(node: Any, prefix: str) -> Any:
    """Point a checker's ``$ref``s at its prefixed copies in the shared ``$defs``."""
    if isinstance(node, dict):
        return {k: (f"#/$defs/{prefix}_{v.rsplit('/', 1)[-1]}" if k == "$ref" else
                    _retarget(v, prefix)) for k, v in node.items()}
    if isinstance(node, list):
        return [_retarget(v, prefix) for v in node]
    return node
