"""Free text answers."""

from __future__ import annotations

import pytest

from runner.checkers.base import InvalidAnswer, Status

from .conftest import Judge, Normalize


def test_case_and_spaces_do_not_matter(judge: Judge) -> None:
    assert judge("text", "  NMAP   7.80 ", ["nmap 7.80"]).status is Status.CORRECT


def test_any_of_several_accepted_answers(judge: Judge) -> None:
    assert judge("text", "masscan", ["nmap", "masscan"]).status is Status.CORRECT


def test_case_sensitive_task_refuses_other_case(judge: Judge) -> None:
    assert judge("text", "Nmap", ["nmap"], case_sensitive=True).status is Status.WRONG


def test_empty_answer_is_invalid(normalize: Normalize) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("text", " \n ")
