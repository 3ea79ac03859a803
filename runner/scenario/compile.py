"""Turn a task's answer spec into a checker, typed parameters and a key source."""

from __future__ import annotations

import re
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

RESERVED = ("type", "expected", "check")
STORY_KEYS = frozenset({"story", "select"})
_DOTTED = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_0-9][\w-]*)*")


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
    story: str | None = None  # a story value, 'attacker.ip', resolved per variant
    check: Mapping[str, Any] | None = None  # a fact query that must find the story value


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
    check = _compile_check(spec.get("check"), checker, params, out, (*at, "check"))
    if isinstance(expected, Mapping) and "story" in expected:
        return _compile_story(checker, params, expected, check, out, (*at, "expected"))
    if check is not None:
        out.add((*at, "check"), "'check' cross-checks a story value",
                "use it with 'expected: {story: NAME}', or remove it")
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


def _compile_story(checker: Checker, params: CheckerParams, expected: Mapping[str, Any],
                   check: Mapping[str, Any] | None, out: Collector, at: PathKey
                   ) -> CompiledAnswer | None:
    """``{story: attacker.ip}`` or ``{story: exfil.file, select: sha256}``."""
    unknown = sorted(set(expected) - STORY_KEYS)
    if unknown:
        out.add((*at, unknown[0]), f"unknown key '{unknown[0]}' in a story key",
                "write {story: NAME.FIELD} with an optional 'select: FIELD'")
        return None
    name, select = expected.get("story"), expected.get("select")
    dotted = f"{name}.{select}" if select is not None else name
    if not isinstance(dotted, str) or not _DOTTED.fullmatch(dotted):
        out.add((*at, "story"), f"{dotted!r} is not a story value name",
                "name a variable, host or event, with dotted fields: attacker.ip")
        return None
    return CompiledAnswer(checker, params, None, None, story=dotted, check=check)


def _compile_check(check: Any, checker: Checker, params: CheckerParams, out: Collector,
                   at: PathKey) -> Mapping[str, Any] | None:
    if check is None:
        return None
    if not isinstance(check, Mapping) or "from" not in check:
        out.add(at, "'check' must be a fact query",
                "write check: {from: TABLE, where: {...}, select: FIELD}")
        return None
    from runner.evidence.query import AGGREGATES, check_query

    for problem in check_query(check, several=True):  # a record checks one field per part
        out.add(at, problem, "see docs/facts.md for tables and fields")
    if check.get("pick", "unique") not in AGGREGATES and check.get("select") is not None:
        for problem in checker.check_query_select(check["select"], params):
            out.add((*at, "select"), problem, "see the 'select' row in docs/facts.md")
    return dict(check)


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
