"""Multi-part answers: named parts, each judged by its own checker, credit per part.

``{type: record, parts: {user: {type: text}, password: {type: text, case_sensitive: true,
weight: 2}}, expected: {user: salesxfer, password: p@ssw0rd}}``

A part spec is an answer spec without ``expected``: ``type`` plus that checker's own
parameters, and an optional ``weight`` (default 1). The trainee may type, in order
of preference (see :func:`read_parts`):

* a JSON object: ``{"user": "salesxfer", "password": "p@ssw0rd"}``;
* named parts: ``user=salesxfer, password=p@ssw0rd`` (``=`` or ``:``; separated by
  newlines, ``;`` or ``,``);
* the parts in order, separated by a newline, ``;``, ``,``, an arrow (``->``), white
  space, ``:``, ``/`` or ``@``: ``salesxfer:p@ssw0rd``, ``10.0.0.5:445``,
  ``10.0.0.5 -> 10.0.0.9``. The first split (leftmost separator first) whose every
  piece is valid for its part wins, so ``fe80::1:445`` is ``fe80::1`` and ``445``.

The score is ``sum(weight x part score) / sum(weight)`` against the best-matching
expected record. An expected value is a mapping of part to value (a list for several
accepted values of one part), or a string in any form above. Each part may be sealed
on its own when its type can be, so a sealed record keeps its partial credit.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from runner.checkers._common import param_error
from runner.checkers.base import (
    Checker,
    CheckerParams,
    InvalidAnswer,
    JudgeContext,
    Key,
    Verdict,
    is_sealed,
    matches_seal,
    seal_value,
)

NOT_PARTS = frozenset({"record", "frames", "flows", "artifact", "sequence"})
MAX_ANSWER = 8192
MAX_SPLITS = 256  # split points tried per separator: a record has a handful of parts
_PART_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_NAMED = re.compile(r"^\s*([A-Za-z][\w -]{0,31}?)\s*[=:]\s*(.*?)\s*$", re.S)
# Pieces of a named answer: lines, then ';', then ',', then spaces before 'name='.
_NAMED_SPLIT = (r"\n", ";", ",", r"\s+(?=[A-Za-z][\w-]{0,31}\s*=)")
_POSITIONAL = ("\n", ";", ",", "->", "\u2192", "=>", None, ":", "/", "@")  # None: white space


class PartSpec(CheckerParams):
    """One part: its answer type, that type's parameters, and its weight."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: str = Field(description="The answer type of this part (ip, text, integer, ...).")
    weight: float = Field(1.0, gt=0, description="Share of the credit this part carries.")

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        from runner.checkers import registry

        reg = registry()
        if value not in reg:
            near = difflib.get_close_matches(value, reg.names(), n=1)
            fix = f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(reg.names())}"
            raise param_error(f"unknown part type '{value}' ({fix})")
        if value in NOT_PARTS or not reg.get(value).accepts_text:
            raise param_error(f"a record part cannot be a '{value}' answer")
        return value

    @model_validator(mode="after")
    def _params(self) -> PartSpec:
        try:
            part_checker(self)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            name = ".".join(str(p) for p in error["loc"])
            from runner.checkers import registry

            keys = ", ".join(["type", "weight", *registry().get(self.type).Params.model_fields])
            if error["type"] == "extra_forbidden":
                article = "an" if self.type[0] in "aeiou" else "a"
                raise param_error(f"'{name}' is not a parameter of {article} {self.type} part "
                                   f"(its keys: {keys})") from None
            raise param_error(f"{name}: {error['msg']}") from None
        return self


def part_checker(spec: PartSpec) -> tuple[Checker, CheckerParams]:
    """The checker of a part and its parsed parameters (pydantic errors propagate)."""
    from runner.checkers import registry

    checker = registry().get(spec.type)
    return checker, checker.parse_params(dict(spec.model_extra or {}))


class RecordParams(CheckerParams):
    parts: dict[str, PartSpec] = Field(
        description="Part name -> {type: CHECKER, weight: N, ...that checker's parameters}; "
        "the order is the order of a positional answer.",
        min_length=1,
    )

    @field_validator("parts")
    @classmethod
    def _names(cls, parts: dict[str, PartSpec]) -> dict[str, PartSpec]:
        for name in parts:
            if not _PART_NAME.match(name):
                raise param_error(f"part name '{name}' must be lower-case letters, digits, '_'")
        return parts


Parsed = dict[str, str]  # part name -> the raw text typed for it


def _canon(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().casefold())


def read_parts(raw: str, params: RecordParams) -> Parsed:
    """The raw text of each part of an answer, by the rules in the module docstring.

    Raises:
        InvalidAnswer: no reading gives every part a valid value.
    """
    if len(raw) > MAX_ANSWER:
        raise InvalidAnswer("The answer is too long.", _hint(params))
    text = raw.strip()
    if not text:
        raise InvalidAnswer("The answer is empty.", _hint(params))
    if text.startswith("{"):
        return _from_json(text, params)
    named = _named(text, params)
    if named is not None:
        _check_all(named, params)
        return named
    if text[0] == "(" and text[-1] == ")":
        text = text[1:-1].strip()
    for sep in _POSITIONAL:
        found = _positional(text, sep, params)
        if found is not None:
            return found
    raise InvalidAnswer(f"The answer cannot be read as {len(params.parts)} parts.", _hint(params))


def _hint(params: RecordParams) -> str:
    names = list(params.parts)
    sample = ", ".join(f"{n}=..." for n in names)
    return f"Write {sample} (or the parts in this order, one per line: {', '.join(names)})."


def _from_json(text: str, params: RecordParams) -> Parsed:
    try:
        data = json.loads(text)
    except ValueError:
        raise InvalidAnswer("The answer starts with '{' but is not a JSON object.",
                            _hint(params)) from None
    if not isinstance(data, dict):
        raise InvalidAnswer("The answer is not a JSON object.", _hint(params))
    parsed = {}
    for key, value in data.items():
        name = _canon(str(key))
        if name not in params.parts:
            raise InvalidAnswer(f"'{key}' is not a part of this answer.", _hint(params))
        parsed[name] = value if isinstance(value, str) else json.dumps(value)
    _check_all(parsed, params)
    return parsed


def _named(text: str, params: RecordParams) -> Parsed | None:
    """``name=value`` pieces, when every piece names a part and there is more than one
    part or piece (``user:x`` alone is more likely a positional user:password)."""
    for splitter in _NAMED_SPLIT:
        pieces = [p for p in re.split(splitter, text) if p.strip()]
        parsed: Parsed = {}
        for piece in pieces:
            match = _NAMED.match(piece)
            if not match or _canon(match.group(1)) not in params.parts:
                break
            parsed[_canon(match.group(1))] = match.group(2)
        else:
            if parsed and (len(parsed) > 1 or len(params.parts) == 1):
                return parsed
    return None


def _check_all(parsed: Parsed, params: RecordParams) -> None:
    missing = [name for name in params.parts if name not in parsed]
    if missing:
        raise InvalidAnswer(f"Part '{missing[0]}' is missing.", _hint(params))
    for name, value in parsed.items():
        checker, item = part_checker(params.parts[name])
        try:
            checker.normalize(value, item)
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"Part '{name}' is not a valid {checker.name}: {exc}",
                                exc.hint) from None


def _positional(text: str, sep: str | None, params: RecordParams) -> Parsed | None:
    names = list(params.parts)
    if len(names) == 1:
        return {names[0]: text} if sep is None and _valid(text, params.parts[names[0]]) else None
    cuts = [(m.start(), m.end()) for m in re.finditer(r"\s+" if sep is None else re.escape(sep),
                                                      text)]
    for choice in itertools.islice(itertools.combinations(cuts, len(names) - 1), MAX_SPLITS):
        bounds = [0, *[b for cut in choice for b in cut], len(text)]
        pieces = [text[bounds[i]:bounds[i + 1]].strip() for i in range(0, len(bounds), 2)]
        if all(_valid(p, params.parts[n]) for n, p in zip(names, pieces, strict=True)):
            return dict(zip(names, pieces, strict=True))
    return None


def _valid(piece: str, spec: PartSpec) -> bool:
    checker, item = part_checker(spec)
    try:
        checker.normalize(piece, item)
    except InvalidAnswer:
        return False
    return bool(piece)


def _part_key(value: Any) -> Key:
    values = value if isinstance(value, list) else [value]
    sealed = tuple(v for v in values if is_sealed(v))
    return Key(values=tuple(v for v in values if v not in sealed), sealed=sealed)


class RecordChecker(Checker):
    name = "record"
    summary = "Named parts, each of its own type (user:password, ip:port); credit per part."
    Params = RecordParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, RecordParams)
        parsed = read_parts(raw, params)
        out = {}
        for name, spec in params.parts.items():
            checker, item = part_checker(spec)
            out[name] = checker.normalize(parsed[name], item)
        return json.dumps(out, ensure_ascii=False)

    def expected_parts(self, value: Any, params: RecordParams, *, strict: bool = False
                       ) -> dict[str, Any]:
        """An expected record as part -> value(s); unless ``strict`` (a literal written in
        the scenario), a mapping with other names (a query row of ``select: [username,
        password]``) is taken in part order.

        Raises:
            InvalidAnswer: the value is not a record of these parts.
        """
        if isinstance(value, str):
            return dict(read_parts(value, params))
        if not isinstance(value, Mapping):
            raise InvalidAnswer(f"{value!r} is not a mapping of part to value")
        names = list(params.parts)
        if not strict and set(value) != set(names) and len(value) == len(names):
            value = dict(zip(names, value.values(), strict=True))
        unknown = [str(k) for k in value if k not in params.parts]
        if unknown:
            raise InvalidAnswer(f"'{unknown[0]}' is not a part (parts: {', '.join(names)})")
        missing = [n for n in names if n not in value]
        if missing:
            raise InvalidAnswer(f"part '{missing[0]}' has no expected value")
        return dict(value)

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        assert isinstance(params, RecordParams)
        parts = self.expected_parts(value, params)
        out = {}
        for name, spec in params.parts.items():
            checker, item = part_checker(spec)
            first = parts[name][0] if isinstance(parts[name], list) else parts[name]
            out[name] = first if is_sealed(first) else \
                checker.normalize_expected(first, item)
        return json.dumps(out, ensure_ascii=False)

    def check_expected(self, values: tuple[Any, ...], params: CheckerParams) -> list[str]:
        assert isinstance(params, RecordParams)
        problems = []
        for value in values:
            try:
                parts = self.expected_parts(value, params, strict=True)
            except InvalidAnswer as exc:
                problems.append(f"expected value {value!r:.60} is not a record: {exc}")
                continue
            for name, spec in params.parts.items():
                checker, item = part_checker(spec)
                key = _part_key(parts[name])
                if key.sealed and not checker.is_sealable(item):
                    problems.append(f"part '{name}': '{checker.name}' values cannot be sealed")
                problems += [f"part '{name}': {p}" for p in checker.check_expected(key.values,
                                                                                   item)]
        return problems

    def check_query_select(self, select: Any, params: CheckerParams) -> list[str]:
        """A record's query selects one field per part: a list in part order or a mapping."""
        assert isinstance(params, RecordParams)
        names = list(params.parts)
        if isinstance(select, list) and len(select) == len(names):
            return []
        if isinstance(select, Mapping) and set(select) == set(names):
            return []
        return [f"'select' must give one field per part: a list of {len(names)} fields in "
                f"part order, or a mapping {{{', '.join(f'{n}: FIELD' for n in names)}}}"]

    def is_sealable(self, params: CheckerParams) -> bool:
        assert isinstance(params, RecordParams)
        return all(c.is_sealable(i) for c, i in map(part_checker, params.parts.values()))

    def seal_expected(self, value: Any, params: CheckerParams, salt: str) -> Any:
        """Each part sealed on its own (so a sealed record keeps partial credit)."""
        assert isinstance(params, RecordParams)
        parts = self.expected_parts(value, params)
        out: dict[str, Any] = {}
        for name, spec in params.parts.items():
            checker, item = part_checker(spec)
            sealed = [v if is_sealed(v) else
                      seal_value(checker.normalize_expected(v, item), salt)
                      for v in (parts[name] if isinstance(parts[name], list) else [parts[name]])]
            out[name] = sealed[0] if len(sealed) == 1 else sealed
        return out

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, RecordParams)
        try:
            parsed = read_parts(answer, params)
            normalized = self.normalize(answer, params)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        if any(matches_seal(normalized, s) for s in key.sealed):
            return Verdict.correct(normalized)
        best: tuple[float, list[str]] = (0.0, [])
        for value in key.values:
            try:
                parts = self.expected_parts(value, params)
            except InvalidAnswer:
                continue
            scored = self._score(parsed, parts, params, ctx)
            if scored[0] > best[0] or not best[1]:
                best = scored
        return Verdict.graded(best[0], normalized, "; ".join(best[1]) + "." if best[1] else "")

    def _score(self, parsed: Parsed, parts: dict[str, Any], params: RecordParams,
               ctx: JudgeContext) -> tuple[float, list[str]]:
        earned, total, notes = 0.0, 0.0, []
        for name, spec in params.parts.items():
            checker, item = part_checker(spec)
            verdict = checker.judge(parsed[name], _part_key(parts[name]), item, ctx)
            earned += spec.weight * verdict.score
            total += spec.weight
            notes.append(f"{name}: {verdict.status.value}")
        return earned / total, notes


CHECKER = RecordChecker

