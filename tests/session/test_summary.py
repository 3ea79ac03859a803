"""One scoring vocabulary: a lab, an answer sheet, a seat and a gradebook total alike."""

from __future__ import annotations

from runner.checkers.base import Status, Verdict
from runner.session.grading import TaskResult, total
from runner.session.scoring import Mark, Summary, TaskState

KEYS = ["score", "max_score", "percent", "solved", "total", "hints", "attempts"]


def test_an_answer_sheet_total_uses_the_same_words_as_a_lab() -> None:
    results = [TaskResult("a", 10, 10.0, Verdict(Status.CORRECT, 1.0, "ok"), True),
               TaskResult("b", 10, 5.0, Verdict(Status.PARTIAL, 0.5, "half"), True),
               TaskResult("c", 20, 0.0, Verdict.wrong(feedback="No answer."), False)]
    assert [r.state for r in results] == [TaskState.CORRECT, TaskState.PARTIAL,
                                          TaskState.UNANSWERED]
    assert total(results) == {"score": 15.0, "max_score": 40, "percent": 37.5, "solved": 1,
                              "total": 3, "hints": 0, "attempts": 2}
    assert list(total(results)) == KEYS


def test_only_correct_counts_as_solved_and_empty_totals_are_zero() -> None:
    marks = [Mark(5, 5, TaskState.CORRECT, 1, 2), Mark(5, 2.5, TaskState.PARTIAL, 0, 3),
             Mark(5, 0, TaskState.LOCKED), Mark(5, 0, TaskState.NOT_STARTED)]
    assert Summary.of(marks) == Summary(7.5, 20, 37.5, 1, 4, 1, 5)
    assert Summary.of([]) == Summary(0.0, 0, 0.0, 0, 0, 0, 0)


def test_states_are_strings_in_json_and_follow_verdicts() -> None:
    import json

    assert json.dumps({"state": TaskState.NOT_STARTED}) == '{"state": "not started"}'
    assert {TaskState.of_verdict(s) for s in Status} == {
        TaskState.CORRECT, TaskState.PARTIAL, TaskState.WRONG, TaskState.INVALID}
