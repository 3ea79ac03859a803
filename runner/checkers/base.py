"""What every answer checker is: typed parameters, a normaliser and a judge.

A checker never raises for a trainee's answer: a wrong answer is a WRONG
verdict, an unreadable one an INVALID verdict carrying a hint. Only bugs and
infrastructure failures raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from runner.checkers._seal import SEAL_PREFIX, is_sealed, matches_seal, seal_value


class Status(str, Enum):
    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"
    INVALID = "invalid"


@dataclass(frozen=True)
class Verdict:
    """The outcome of judging one attempt.

    ``score`` is the fraction (0..1) of the task's points this attempt earns.
    ``normalized`` is what the answer meant once normalised (stored beside the
    raw value so a trainer can see why it was judged so).
    """

    status: Status
    score: float
    feedback: str = ""
    normalized: str | None = None

    @classmethod
    def correct(cls, normalized: str | None = None, feedback: str = "") -> Verdict:
        return cls(Status.CORRECT, 1.0, feedback or "Correct.", normalized)

    @classmethod
    def wrong(cls, normalized: str | None = None, feedback: str = "") -> Verdict:
        return cls(Status.WRONG, 0.0, feedback or "Not correct.", normalized)

    @classmethod
    def invalid(cls, feedback: str) -> Verdict:
        return cls(Status.INVALID, 0.0, feedback, None)

    @classmethod
    def graded(cls, score: float, normalized: str | None = None, feedback: str = "") -> Verdict:
        """Full, partial or no credit from a fraction, clamped to 0..1."""
        score = max(0.0, min(1.0, score))
        if score >= 1.0 - 1e-9:
            return cls(Status.CORRECT, 1.0, feedback or "Correct.", normalized)
        if score <= 0.0:
            return cls(Status.WRONG, 0.0, feedback or "Not correct.", normalized)
        return cls(Status.PARTIAL, score, feedback or f"Partly correct ({score:.0%}).", normalized)


class InvalidAnswer(ValueError):
    """Raised by ``normalize`` when an answer cannot be read as this type."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def feedback(self) -> str:
        return f"{self} {self.hint}".strip()


class CheckerParams(BaseModel):
    """Base of every checker's parameter model: strict and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Key:
    """A resolved answer key: plain expected values and/or sealed digests.

    Lives only on the host (session store, service); never sent to a lab.
    """

    values: tuple[Any, ...] = ()
    sealed: tuple[str, ...] = ()


@dataclass
class JudgeContext:
    """What a checker may need beyond the answer: evidence and a safe file reader.

    ``evidence`` maps the name inside the lab to the verified host path.
    ``fetch`` turns a path the trainee named inside the lab into a host path
    that has already been copied out safely (size capped, no links).
    """

    evidence: Mapping[str, Path] = field(default_factory=dict)
    fetch: Callable[[str], Path] | None = None


__all__ = ["SEAL_PREFIX", "is_sealed", "matches_seal", "seal_value"]


class Checker:
    """Base of every answer checker. Subclasses set the class attributes.

    Attributes:
        name: the ``type`` a scenario names in ``answer``.
        summary: one line shown by ``dflab checkers``.
        Params: the pydantic model of the checker's parameters.
        sealable: whether literal expected values may be sealed (hashed).
        accepts_file: whether ``lab submit`` (a file from /work) is allowed.
        accepts_text: whether ``lab answer`` (a typed value) is allowed.
    """

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    Params: ClassVar[type[CheckerParams]] = CheckerParams
    sealable: ClassVar[bool] = True
    accepts_file: ClassVar[bool] = False
    accepts_text: ClassVar[bool] = True

    def parse_params(self, raw: Mapping[str, Any]) -> CheckerParams:
        """Validate the answer spec's extra keys (pydantic errors propagate)."""
        return self.Params.model_validate(dict(raw))

    def check_expected(self, values: tuple[Any, ...], params: CheckerParams) -> list[str]:
        """Problems with literal expected values, found when the scenario loads."""
        problems = []
        for value in values:
            try:
                self.normalize_expected(value, params)
            except InvalidAnswer as exc:
                problems.append(f"expected value {value!r} is not a valid {self.name}: {exc}")
        return problems

    def is_sealable(self, params: CheckerParams) -> bool:
        """Whether this spec's literal keys can be sealed (tolerances forbid it)."""
        return self.sealable

    def seal_expected(self, value: Any, params: CheckerParams, salt: str) -> Any:
        """The sealed form of one expected value (``dflab seal``); a record seals per part."""
        return seal_value(self.normalize_expected(value, params), salt)

    def check_query_select(self, select: Any, params: CheckerParams) -> list[str]:
        """Problems with a fact query's ``select`` for this type: one field, by default."""
        if isinstance(select, list | Mapping):
            return ["'select' names one field (several fields are for a record answer)"]
        return []

    def normalize(self, raw: str, params: CheckerParams) -> str:
        """Canonical form of a trainee's answer; raise :class:`InvalidAnswer`."""
        return " ".join(raw.split())

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        """Canonical form of an expected value (may be non-string YAML)."""
        return self.normalize(str(value), params)

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        """Judge a typed answer. The default: exact match after normalising."""
        try:
            normalized = self.normalize(answer, params)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        if self.key_matches(normalized, key, params):
            return Verdict.correct(normalized)
        return Verdict.wrong(normalized)

    def key_matches(self, normalized: str, key: Key, params: CheckerParams) -> bool:
        """Whether a normalised answer equals any plain or sealed expected value."""
        for value in key.values:
            try:
                if self.normalize_expected(value, params) == normalized:
                    return True
            except InvalidAnswer:
                continue
        return any(matches_seal(normalized, s) for s in key.sealed)

    def key_size_problem(self, key: Key, params: CheckerParams) -> tuple[str, str, str] | None:
        """``(severity, message, fix)`` when the whole right answer is too large to give.

        ``dflab validate`` reports it: a key no trainee could ever type (or submit)
        makes full credit impossible. Most types hold one short value: ``None``.
        """
        return None

    def judge_file(self, path: Path, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        """Judge a file copied out of the lab (already safe to read)."""
        return Verdict.invalid(f"A '{self.name}' task takes a typed answer: use 'lab answer'.")
