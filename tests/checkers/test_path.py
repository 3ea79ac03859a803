"""The path type: separators, trailing slash, drive prefix and (on FAT/NTFS) case."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.checkers.base import Status
from runner.checkers.path import parse_path

from .conftest import Judge

NAMES = st.lists(st.text(alphabet="abcXYZ019 ._-~é", min_size=1, max_size=8).filter(
    lambda s: s.strip(".") != "" and s == s.strip()), min_size=0, max_size=5)


@pytest.mark.parametrize("answer", [
    r"\Users\Anna\Desktop\\", "/Users/Anna/Desktop/", "Users/Anna/Desktop",
    r"C:\Users\Anna\Desktop", "p2:/Users/Anna/./Desktop", "//Users//Anna/Desktop",
])
def test_spellings_of_one_path_are_right(judge: Judge, answer: str) -> None:
    assert judge("path", answer, "/Users/Anna/Desktop").status is Status.CORRECT


def test_case_matters_unless_the_file_system_ignores_it(judge: Judge) -> None:
    assert judge("path", "/dcim/img_0001.jpg", "/DCIM/IMG_0001.JPG").status is Status.WRONG
    assert judge("path", "/dcim/img_0001.jpg", "/DCIM/IMG_0001.JPG",
                 case_sensitive=False).status is Status.CORRECT


def test_a_drive_prefix_can_be_required(judge: Judge) -> None:
    assert judge("path", "/x/y", "E:/x/y", drive_optional=False).status is Status.WRONG
    assert judge("path", r"e:\x\y", "E:/x/y", drive_optional=False).status is Status.CORRECT


@pytest.mark.parametrize("answer", ["", "   ", "/a/../etc/passwd", "/a/b\x01"])
def test_unreadable_paths_are_invalid_with_a_hint(judge: Judge, answer: str) -> None:
    verdict = judge("path", answer, "/a")
    assert verdict.status is Status.INVALID and verdict.feedback


def test_another_file_is_wrong(judge: Judge) -> None:
    assert judge("path", "/DCIM/IMG_0002.JPG", "/DCIM/IMG_0001.JPG").status is Status.WRONG


@settings(max_examples=200, deadline=None)
@given(names=NAMES, windows=st.booleans(), trailing=st.booleans(), drive=st.booleans(),
       fold=st.booleans())
def test_any_spelling_normalises_to_the_slash_form(names: list[str], windows: bool,
                                                   trailing: bool, drive: bool,
                                                   fold: bool) -> None:
    sep = "\\" if windows else "/"
    spelled = ("D:" if drive else "") + sep + sep.join(names) + (sep if trailing else "")
    plain = "/" + "/".join(names)
    assert parse_path(spelled, case_sensitive=not fold) == parse_path(plain, not fold)
    once = parse_path(spelled, case_sensitive=not fold)
    assert parse_path(once, case_sensitive=not fold) == once
