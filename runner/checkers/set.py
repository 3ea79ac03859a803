"""Unordered sets of values of one scalar type, with proportional credit.

``of`` names the member type (``ip``, ``domain``, ``hash`` ...) and ``item``
holds that type's own parameters, validated by that checker:
``{type: set, of: ip, item: {map_v4: false}, expected: [...], scoring: proportional}``.

Members are separated by newlines or ``;``; failing those, by commas; failing
those, by white space (for types whose values never hold spaces or commas,
``ip mac domain hash url``, any of these separators may be mixed). Duplicates
count once. Each member of a key can be sealed on its own when the member type
is sealable, so a sealed set still earns partial credit.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, model_validator

from runner.checkers._common import MAX_LIST_TEXT, inner_checker, normalize_items
from runner.checkers.base import (
    Checker,
    CheckerParams,
    InvalidAnswer,
    JudgeContext,
    Key,
    Status,
    Verdict,
    matches_seal,
)

MAX_MEMBERS = 1000
NOT_MEMBERS = frozenset({"set", "frames", "flows"})
TOKEN_TYPES = frozenset({"ip", "mac", "domain", "hash", "url"})


class SetParams(CheckerParams):
    of: str = Field("text", description="The answer type of each member (ip, domain, hash, ...).")
    item: dict[str, Any] = Field(
        default_factory=dict,
        description="Parameters of the member type, as that type takes them.",
    )
    scoring: Literal["all_or_nothing", "proportional"] = Field(
        "proportional",
        description="proportional: credit per expected member found; "
        "all_or_nothing: only the exact set earns credit.",
    )
    penalty: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Proportional scoring: share of one member's credit taken off "
        "per wrong member.",
    )

    @model_validator(mode="after")
    def _member_type(self) -> SetParams:
        member_checker(self)
        return self


def member_checker(params: SetParams) -> tuple[Checker, CheckerParams]:
    """The checker and parsed parameters for the members of a set."""
    return inner_checker(params.of, params.item, excluded=NOT_MEMBERS, holder="a set",
                         role="member")


# An arrow between items ("a -> b -> c", as a path or a chain is often written) is a
# separator: a set has no order, and no member of these types holds an arrow.
_ARROWS = re.compile(r"\s*(?:<?-+>|=+>|[→⇒➔])\s*")


def split_members(raw: str, of: str) -> list[str]:
    """The members of a set answer, by the separator rules in the module docstring."""
    if of != "text" and _ARROWS.search(raw):
        raw = _ARROWS.sub("\n", raw)
    elif of == "text" and re.search(r"\s(?:-+>|=+>|→)\s", raw):
        raw = re.sub(r"\s(?:-+>|=+>|→)\s", "\n", raw)
    if of in TOKEN_TYPES:
        pieces = re.split(r"[\s,;]+", raw)
    elif "\n" in raw or ";" in raw:
        pieces = re.split(r"[\n;]", raw)
    elif "," in raw:
        pieces = raw.split(",")
    elif of in {"text", "timestamp", "choice"}:
        pieces = [raw]
    else:
        pieces = raw.split()
    return [p.strip() for p in pieces if p.strip()]


def _matching(edges: list[list[int]], right: int) -> int:
    """Size of a maximum bipartite matching (Kuhn's augmenting paths)."""
    owner = [-1] * right

    def augment(left: int, seen: list[bool]) -> bool:
        for r in edges[left]:
            if not seen[r]:
                seen[r] = True
                if owner[r] == -1 or augment(owner[r], seen):
                    owner[r] = left
                    return True
        return False

    return sum(augment(left, [False] * right) for left in range(len(edges)) if edges[left])


class SetChecker(Checker):
    name = "set"
    summary = "An unordered set of values of one type; proportional credit, optional penalty."
    Params = SetParams

    def members(self, raw: str, params: SetParams) -> list[str]:
        """The distinct normalised members of an answer, in answer order."""
        checker, item = member_checker(params)
        pieces = split_members(raw, params.of) if len(raw) <= MAX_LIST_TEXT else []
        normalized = normalize_items(pieces, raw, checker, item, of=params.of, word="member",
                                     empty_hint="List the members separated by commas.",
                                     limit=MAX_MEMBERS)
        return list(dict.fromkeys(normalized))

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, SetParams)
        return "\n".join(sorted(self.members(raw, params)))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        """One expected *member* (``Key.values`` of a set holds its members)."""
        assert isinstance(params, SetParams)
        checker, item = member_checker(params)
        return checker.normalize_expected(value, item)

    def check_expected(self, values: tuple[Any, ...], params: CheckerParams) -> list[str]:
        # No emptiness check here: a sealed set has no plain members at all, and an
        # empty 'expected' is refused when the answer spec is compiled.
        problems = super().check_expected(values, params)
        normalized = []
        for value in values:
            try:
                normalized.append(self.normalize_expected(value, params))
            except InvalidAnswer:
                continue
        if len(set(normalized)) != len(normalized):
            problems.append("the expected set lists the same member twice")
        return problems

    def key_size_problem(self, key: Key, params: CheckerParams) -> tuple[str, str, str] | None:
        """A set larger than an answer may be (members or bytes) can never earn full credit."""
        from runner.session.protocol import MAX_ANSWER_BYTES

        total = len(key.values) + len(key.sealed)
        if total > MAX_MEMBERS:
            return ("error", f"the expected set has {total} members; an answer may list at "
                    f"most {MAX_MEMBERS}, so no trainee can get full credit",
                    "narrow the question (or the query) to fewer members")
        size = sum(len(str(v).encode()) + 1 for v in key.values)
        if size > MAX_ANSWER_BYTES:
            return ("error", f"the expected set takes {size:,} bytes written out; an answer "
                    f"may be at most {MAX_ANSWER_BYTES:,}", "narrow the question to fewer members")
        return None

    def is_sealable(self, params: CheckerParams) -> bool:
        assert isinstance(params, SetParams)
        checker, item = member_checker(params)
        return checker.is_sealable(item)

    def _edges(self, members: list[str], key: Key, params: SetParams) -> list[list[int]]:
        """For each member, the indices of the key entries (values, then seals) it matches."""
        checker, item = member_checker(params)
        exact = checker.is_sealable(item)
        index: dict[str, int] = {}
        for i, value in enumerate(key.values):
            try:
                index.setdefault(checker.normalize_expected(value, item), i)
            except InvalidAnswer:
                continue
        ctx = JudgeContext()
        edges: list[list[int]] = []
        for member in members:
            if exact:
                hits = [index[member]] if member in index else []
            else:
                hits = [
                    i
                    for i, value in enumerate(key.values)
                    if checker.judge(member, Key(values=(value,)), item, ctx).status
                    is Status.CORRECT
                ]
            offset = len(key.values)
            hits += [offset + j for j, s in enumerate(key.sealed) if matches_seal(member, s)]
            edges.append(hits)
        return edges

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, SetParams)
        try:
            members = self.members(answer, params)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        normalized = "\n".join(sorted(members))
        total = len(key.values) + len(key.sealed)
        found = _matching(self._edges(members, key, params), total)
        wrong = len(members) - found
        feedback = f"{found} of {total} expected found" + (
            f", {wrong} not expected." if wrong else "."
        )
        if params.scoring == "all_or_nothing":
            score = 1.0 if found == total and wrong == 0 else 0.0
        else:
            score = (found - params.penalty * wrong) / total if total else 0.0
        return Verdict.graded(score, normalized, feedback)


CHECKER = SetChecker
