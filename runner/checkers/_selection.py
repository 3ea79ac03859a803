"""Judging a selection of traffic (``frames``, ``flows``) relative to chance.

Plain precision rewards indiscriminate answers when most traffic is flagged:
in a capture where 1994 of 2011 frames are a scanner's probes, "every frame"
has a precision of 99%. So precision is measured as its **lift over the base
rate** (the precision a random pick of any size would reach)::

    base  = flagged / universe                       (universe: all frames or flows)
    lift  = (precision - base) / (1 - base)          (0 at chance, 1 when all are flagged)

and combined with recall by an F-score that weighs lift twice as much as
recall (F0.5), so a wrong item costs more than a missed one: an over-inclusive
answer never beats the correct subset with as many misses as it has extras
(while the extras are at most half the flagged set). Selecting everything
(lift 0) or nothing (recall 0) scores 0. See docs/checkers.md for worked examples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import Field

from runner.checkers.base import CheckerParams, Verdict

BETA2 = 0.25  # F0.5: lift weighs twice as much as recall


class SelectionParams(CheckerParams):
    """Thresholds shared by the checkers that judge a selection of traffic."""

    min_precision: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Lift of precision over the base rate needed for full credit "
        "(0 = no better than chance, 1 = nothing unflagged in the answer).",
    )
    min_recall: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Fraction of the flagged traffic the answer must contain for full credit.",
    )


@dataclass(frozen=True)
class Figures:
    """The counts and ratios a selection verdict compares (all shown in feedback)."""

    found: int
    answered: int
    flagged: int
    universe: int | None

    @property
    def precision(self) -> float:
        return self.found / self.answered if self.answered else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.flagged if self.flagged else 0.0

    @property
    def base(self) -> float:
        """Share of the universe that is flagged (0 when the universe is unknown)."""
        if not self.universe:
            return 0.0
        return min(1.0, self.flagged / self.universe)

    @property
    def lift(self) -> float:
        """Precision corrected for chance: 0 at the base rate, 1 at perfect precision."""
        if not self.answered:
            return 0.0
        if self.base >= 1.0:
            return 1.0 if self.precision >= 1.0 else 0.0
        return max(0.0, (self.precision - self.base) / (1.0 - self.base))


def f_half(lift: float, recall: float) -> float:
    """Weighted harmonic mean of lift and recall (F0.5)."""
    if lift <= 0 or recall <= 0:
        return 0.0
    return (1 + BETA2) * lift * recall / (BETA2 * lift + recall)


def selection_score(fig: Figures, min_precision: float, min_recall: float) -> float:
    """Full credit at or above both thresholds; below, F0.5 of lift and recall (< 1)."""
    eps = 1e-12
    lift, recall = fig.lift, fig.recall
    if lift <= 0 or recall <= 0:
        return 0.0
    if lift >= min_precision - eps and recall >= min_recall - eps:
        return 1.0
    return min(f_half(lift, recall), 0.999)


def pct(value: float) -> str:
    """A percentage cut (not rounded) to one decimal: 99.96% prints as 99.9%, never 100%."""
    return f"{math.floor(value * 1000 + 1e-9) / 10:.1f}%"


def selection_verdict(fig: Figures, *, params: SelectionParams, what: str,
                      normalized: str | None, extra: str = "") -> Verdict:
    """A verdict from counts, with feedback naming every figure compared.

    Args:
        fig: the counts.
        params: the thresholds.
        what: the plural noun of the items ("frames", "flows").
        normalized: the canonical answer, stored with the verdict.
        extra: a sentence appended to the feedback.
    """
    score = selection_score(fig, params.min_precision, params.min_recall)
    base = (f"a base rate of {pct(fig.base)} ({fig.flagged} of {fig.universe} {what} flagged)"
            if fig.universe else "a base rate taken as 0 (the evidence was not available)")
    feedback = (
        f"Lift over chance {pct(fig.lift)} (needs {pct(params.min_precision)}), "
        f"recall {pct(fig.recall)} (needs {pct(params.min_recall)}). "
        f"Your {fig.answered} {what} include {fig.found} of the {fig.flagged} flagged: "
        f"precision {pct(fig.precision)} against {base}."
    )
    if extra:
        feedback = f"{feedback} {extra}"
    return Verdict.graded(score, normalized, feedback)
