"""Turn a task's answer spec into a checker, typed parameters and a key source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.checkers import registry
from runner.checkers._seal import is_legacy, is_sealed, seal_problem
from runner.checkers.base import Checker, CheckerParams, Key
from runner.errors import InputError
from runner.scenario.problems import Collector
from runner.scenario.strict import validate_model
from runner.scenario.yamlsrc import PathKey

RESERVED = ("type", "expected")


@dataclass(frozen=True)
class CompiledAnswer:
    """A validated answer spec.

    Either ``literal`` holds the key written in the scenario (plain and sealed
    values), or ``query`` holds a fact query resolved from the evidence when a
    session starts.
    """

    checker: Checker
    params: CheckerParams
    literal: Key | None
    query: Mapping[str, Any] | None


def split_literals(expected: Any) -> Key:
    values = expected if isinstance(expected, list) else [expected]
    plain = tuple(v for v in values if not is_sealed(v))
    sealed = tuple(v for v in values if is_sealed(v))
    return Key(values=plain, sealed=sealed)


def compile_answer(spec: Any, out: Collector, at: PathKey) -> CompiledAnswer | None:
    """Validate one answer spec, adding every problem to ``out``."""
    if not isinstance(spec, Mapping):
        out.add(at, "the answer spec must be a mapping",
                "write 'answer: {type: ..., expected: ...}'")
        return None
    kind = spec.get("type")
    if not isinstance(kind, str):
        out.add(at, "'type' is required", f"add 'type:', one of: {', '.join(registry().names())}")
        return None
    try:
        checker = registry().get(kind)
    except InputError as exc:
        out.add((*at, "type"), exc.message, exc.fix or "")
        return None
    params_raw = {k: v for k, v in spec.items() if k not in RESERVED}
    params = validate_model(checker.Params, params_raw, out, at, extra_keys=RESERVED)
    if "expected" not in spec:
        out.add(at, "'expected' is required", "add 'expected:' (a value, a list or a query)")
        return None
    if params is None:
        return None
    expected = spec["expected"]
    if isinstance(expected, Mapping) and not _is_literal_record(expected, params):
        return _compile_query(checker, params, expected, out, (*at, "expected"))
    if expected is None or expected == []:
        out.add((*at, "expected"), "no expected value", "give the value the evidence shows")
        return None
    key = split_literals(expected)
    if key.sealed and not checker.is_sealable(params):
        out.add((*at, "expected"), f"'{kind}' answers with these parameters cannot be sealed",
                "write the plain value (see docs/checkers.md, 'Which types can be sealed')")
    _check_seals(key.sealed, out, (*at, "expected"))
    for problem in checker.check_expected(key.values, params):
        out.add((*at, "expected"), problem, "correct the expected value")
    return CompiledAnswer(checker, params, key, None)


def _is_literal_record(expected: Mapping[str, Any], params: CheckerParams) -> bool:
    """A record's literal key is a mapping of its parts (a part may be named 'from')."""
    parts = getattr(params, "parts", None)
    if not isinstance(parts, Mapping):
        return False
    if set(expected) <= set(parts):
        return True
    return "from" not in expected and "answer_of" not in expected


def _compile_query(checker: Checker, params: CheckerParams, query: Mapping[str, Any],
                   out: Collector, at: PathKey) -> CompiledAnswer | None:
    if "answer_of" in query:  # the key of another task (checked by the loader)
        extra = sorted(set(query) - {"answer_of", "also"})
        if extra or not isinstance(query["answer_of"], str):
            out.add(at, "'answer_of' takes a task id and may only be joined by 'also'",
                    "write {answer_of: TASK_ID} or {answer_of: TASK_ID, also: [...]}")
            return None
        return CompiledAnswer(checker, params, None, dict(query))
    if "from" not in query:
        out.add(at, "a query needs 'from'", "write {from: TABLE, where: {...}, select: FIELD}")
        return None
    try:
        from runner.evidence.query import AGGREGATES, check_query
    except ImportError:
        out.add(at, "fact queries are not available in this build", "write a literal value")
        return None
    for problem in check_query(query, several=True):
        out.add(at, problem, "see 'dflab facts --help' and docs/facts.md for tables and fields")
    if query.get("pick", "unique") not in AGGREGATES:
        for problem in checker.check_query_select(query.get("select"), params):
            out.add((*at, "select"), problem, "see the 'select' row in docs/facts.md")
    also = query.get("also") or []
    also = tuple(also if isinstance(also, list) else [also])
    for problem in checker.check_expected(also, params) if also else []:
        out.add((*at, "also"), problem, "correct the extra accepted value")
    return CompiledAnswer(checker, params, None, dict(query))


def _check_seals(sealed: tuple[str, ...], out: Collector, at: PathKey) -> None:
    """Damaged sealed keys are errors; keys sealed with the old fast hash are warnings."""
    for value in sealed:
        problem = seal_problem(value)
        if problem:
            out.add(at, problem, "seal the plain scenario again with 'dflab seal'")
        elif is_legacy(value):
            out.warn(at, "this key was sealed with one fast SHA-256, which a trainee can "
                     "brute-force in seconds", "seal the plain scenario again with 'dflab seal' "
                     "(new seals use scrypt)")
            return
