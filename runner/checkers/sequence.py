"""Ordered lists (routers along a path, events in order), credit by the longest right run.

``{type: sequence, of: ip, item: {...}, expected: [10.0.0.1, 10.0.0.254, 192.0.2.1]}``

Elements are separated by newlines, arrows (``->``, ``=>``, ``→``, ``>``), ``;``
or ``,`` (the first of these the answer uses), or else by white space for types
whose values hold none (``ip mac domain hash url integer``).

Score (``scoring: ordered``, the default)::

    score = LCS(answer, expected) / max(len(answer), len(expected))

where LCS is the length of the longest common subsequence: the longest run of
elements the answer gives in the right order, gaps allowed. A right answer scores
1; one element missing from five scores 4/5; two neighbours swapped in five score
4/5; five right elements and three extra score 5/8, so padding does not pay; the
right elements in reverse order score 1/n. ``scoring: exact`` gives credit only to
the whole sequence. An expected key computed from the evidence is a fact query whose
values come in order (``sort:``, ``pick: all``). Each element can be sealed when the
element type can be.
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
    is_sealed,
    matches_seal,
)
from runner.checkers.set import MAX_MEMBERS

NOT_ELEMENTS = frozenset({"set", "record", "sequence", "frames", "flows", "artifact"})
TOKEN_TYPES = frozenset({"ip", "mac", "domain", "hash", "url", "integer"})
_SEPARATORS = (r"\n", r"\s*(?:->|=>|\u2192)\s*", r"\s+>\s+", ";", ",")


class SequenceParams(CheckerParams):
    of: str = Field("text", description="The answer type of each element (ip, text, ...).")
    item: dict[str, Any] = Field(
        default_factory=dict, description="Parameters of the element type, as it takes them."
    )
    scoring: Literal["ordered", "exact"] = Field(
        "ordered",
        description="ordered: longest common subsequence / longer length; exact: all or nothing.",
    )

    @model_validator(mode="after")
    def _element_type(self) -> SequenceParams:
        element_checker(self)
        return self


def element_checker(params: SequenceParams) -> tuple[Checker, CheckerParams]:
    """The checker and parsed parameters of the elements."""
    return inner_checker(params.of, params.item, excluded=NOT_ELEMENTS, holder="a sequence",
                         role="element")


def split_elements(raw: str, of: str) -> list[str]:
    """The elements of an answer, by the separator rules in the module docstring."""
    for pattern in _SEPARATORS:
        if re.search(pattern, raw):
            pieces = re.split(pattern, raw)
            break
    else:
        pieces = raw.split() if of in TOKEN_TYPES else [raw]
    return [p.strip() for p in pieces if p.strip()]


def lcs(a: list[int], b: list[int]) -> int:
    """Length of the longest common subsequence of two lists of element ids."""
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


class SequenceChecker(Checker):
    name = "sequence"
    summary = "An ordered list of values of one type; credit by the longest right-ordered run."
    Params = SequenceParams

    def elements(self, raw: str, params: SequenceParams) -> list[str]:
        """The normalised elements of an answer, in order (repeats kept: a path may loop)."""
        checker, item = element_checker(params)
        # Split only after the length check inside normalize_items would pass: a huge
        # answer is refused before any splitting work.
        pieces = split_elements(raw, params.of) if len(raw) <= MAX_LIST_TEXT else []
        return normalize_items(pieces, raw, checker, item, of=params.of, word="element",
                               empty_hint="List the elements in order, one per line.",
                               limit=MAX_MEMBERS)

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, SequenceParams)
        return "\n".join(self.elements(raw, params))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        """One expected *element* (``Key.values`` of a sequence holds its elements)."""
        assert isinstance(params, SequenceParams)
        checker, item = element_checker(params)
        return checker.normalize_expected(value, item)

    def is_sealable(self, params: CheckerParams) -> bool:
        assert isinstance(params, SequenceParams)
        checker, item = element_checker(params)
        return checker.is_sealable(item)

    def _ids(self, answer: list[str], key: Key, params: SequenceParams
             ) -> tuple[list[int], list[int]]:
        """Element ids: each expected element gets the position of the first element equal
        to it (a path through one router twice repeats an id); an answer element gets the
        id of the expected element it matches, or -1."""
        checker, item = element_checker(params)
        expected: list[Any] = list(key.values) or list(key.sealed)
        canon: list[int] = []
        index: dict[str, int] = {}
        for i, value in enumerate(expected):
            sealed = is_sealed(value)
            try:
                norm = value if sealed else checker.normalize_expected(value, item)
            except InvalidAnswer:
                norm = f"\x00unreadable {i}"
            canon.append(index.setdefault(norm, i))
        if checker.is_sealable(item) and not any(is_sealed(v)
                                                  for v in expected):
            # Exact types: one dictionary look-up per element (1000 x 1000 stays instant).
            return [index.get(element, -1) for element in answer], canon
        ctx = JudgeContext()
        ids = []
        for element in answer:
            hit = -1
            for i, value in enumerate(expected):
                if is_sealed(value):
                    ok = matches_seal(element, value)
                else:
                    verdict = checker.judge(element, Key(values=(value,)), item, ctx)
                    ok = verdict.status is Status.CORRECT
                if ok:
                    hit = canon[i]
                    break
            ids.append(hit)
        return ids, canon

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, SequenceParams)
        try:
            elements = self.elements(answer, params)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        ids, expected = self._ids(elements, key, params)
        longest = lcs(ids, expected)
        size = max(len(ids), len(expected))
        score = longest / size if size else 0.0
        if params.scoring == "exact":
            score = 1.0 if ids == expected else 0.0
        others = len(ids) - longest
        feedback = (f"{longest} of {len(expected)} expected elements in the right order"
                    f"{f'; {others} out of place or not expected' if others else ''}.")
        return Verdict.graded(score, "\n".join(elements), feedback)


CHECKER = SequenceChecker

