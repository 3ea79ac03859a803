"""Helpers shared by several checkers (private: not a checker module itself).

Answers reach a checker from ``lab answer`` or from a file of up to 1 MB, so
every helper here refuses over-long or empty input early and cheaply, before
any regular expression or parser sees it.
"""

from __future__ import annotations

import unicodedata

from pydantic import Field

from runner.checkers.base import CheckerParams, InvalidAnswer, Verdict

MAX_TOKEN = 512


def token(raw: str, what: str, hint: str, *, max_len: int = MAX_TOKEN, spaces: bool = False) -> str:
    """A single trimmed value from a raw answer, NFKC-normalised.

    NFKC turns full-width digits and letters (typed on some keyboard layouts or
    pasted from reports) into their ASCII forms.

    Args:
        raw: the answer as received.
        what: the kind of value, for messages ("an IP address").
        hint: how to write a valid value.
        max_len: the longest value accepted, in characters.
        spaces: whether white space may appear inside the value.

    Raises:
        InvalidAnswer: empty, too long, or (unless ``spaces``) containing spaces.
    """
    if len(raw) > max_len * 4:
        raise InvalidAnswer(f"The answer is too long to be {what}.", hint)
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise InvalidAnswer("The answer is empty.", hint)
    if len(text) > max_len:
        raise InvalidAnswer(f"The answer is too long to be {what}.", hint)
    if not spaces and any(ch.isspace() for ch in text):
        raise InvalidAnswer(f"The answer has spaces in it, so it is not {what}.", hint)
    return text


def snippet(text: str, limit: int = 40) -> str:
    """A short, printable excerpt of ``text`` for feedback messages."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)


class PrecisionRecallParams(CheckerParams):
    """Thresholds shared by the checkers that judge a selection of traffic."""

    min_precision: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Fraction of the answer that must be flagged traffic for full credit.",
    )
    min_recall: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Fraction of the flagged traffic the answer must contain for full credit.",
    )


def threshold_score(
    precision: float, recall: float, min_precision: float, min_recall: float
) -> float:
    """Full credit at or above both thresholds; below, partial credit.

    The partial score is the harmonic mean of precision and recall, each
    measured against its own threshold (capped at 1). Being harmonic, it stays
    low both for an answer that flags everything (precision near 0) and for one
    that flags almost nothing (recall near 0).
    """
    eps = 1e-12
    if precision >= min_precision - eps and recall >= min_recall - eps:
        return 1.0
    p = 1.0 if min_precision <= 0 else min(1.0, precision / min_precision)
    r = 1.0 if min_recall <= 0 else min(1.0, recall / min_recall)
    if p + r <= 0:
        return 0.0
    return min(2 * p * r / (p + r), 0.999)


def precision_recall_verdict(
    found: int,
    answered: int,
    expected: int,
    *,
    params: PrecisionRecallParams,
    normalized: str | None,
    extra: str = "",
) -> Verdict:
    """A verdict from counts: ``found`` of ``answered`` items are among ``expected``.

    Args:
        found: answered items that are flagged.
        answered: distinct items in the answer.
        expected: distinct flagged items.
        params: the thresholds.
        normalized: the canonical answer, stored with the verdict.
        extra: a sentence appended to the feedback.
    """
    precision = found / answered if answered else 0.0
    recall = found / expected if expected else 0.0
    score = threshold_score(precision, recall, params.min_precision, params.min_recall)
    feedback = (
        f"Precision {precision:.0%} (needs {params.min_precision:.0%}), "
        f"recall {recall:.0%} (needs {params.min_recall:.0%})."
    )
    if extra:
        feedback = f"{feedback} {extra}"
    return Verdict.graded(score, normalized, feedback)
