"""File paths inside evidence: separators, a trailing slash and (optionally) case and a
drive prefix do not matter.

``\\Users\\Anna\\Desktop\\`` equals ``/Users/Anna/Desktop``: tools print paths with either
separator (Sleuth Kit ``fls -p`` with ``/``, Windows with ``\\``). On FAT, exFAT and NTFS
names are case-insensitive, so a scenario about such a file system sets
``case_sensitive: false``. A leading drive letter (``E:``) or partition prefix (``p2:``,
``vol2:``) names where the file system sits, not where the file is in it; it is dropped
unless ``drive_optional: false``.

``.`` segments are dropped; ``..`` is refused rather than resolved, since a path that
climbs is a different answer, not a spelling of the same one.
"""

from __future__ import annotations

import re

from pydantic import Field

from runner.checkers._common import snippet, token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer

HINT = r"Write a path such as /DCIM/IMG_0001.JPG or \Users\anna\Desktop\note.txt."
_PREFIX = re.compile(r"(?:[A-Za-z]:|(?:p|part|vol|partition)[0-9]{1,3}:)", re.IGNORECASE)


class PathParams(CheckerParams):
    case_sensitive: bool = Field(
        True, description="Letter case must match (set false for FAT, exFAT and NTFS).")
    drive_optional: bool = Field(
        True, description="A leading drive letter or partition prefix (E:, p2:) is ignored.")


def parse_path(raw: str, case_sensitive: bool = True, drive_optional: bool = True) -> str:
    """The canonical path: ``/`` separators, a leading ``/``, no trailing slash.

    Raises:
        InvalidAnswer: empty, not a path, or climbing with ``..``.
    """
    text = token(raw, "a file path", HINT, max_len=4096, spaces=True)
    text = text.strip("\"'").replace("\\", "/")
    prefix = ""
    match = _PREFIX.match(text)
    if match and (len(text) == match.end() or text[match.end()] == "/"):
        prefix = "" if drive_optional else match.group(0).lower()
        text = text[match.end():]
    parts = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise InvalidAnswer(f"{snippet(raw)} climbs with '..'.", "Give the path from the root.")
        if any(ord(ch) < 32 for ch in part):
            raise InvalidAnswer(f"{snippet(raw)} has a control character in it.", HINT)
        parts.append(part if case_sensitive else part.casefold())
    return prefix + "/" + "/".join(parts)


class PathChecker(Checker):
    name = "path"
    summary = "A file path; / or \\, trailing slash, drive prefix (and case, optionally) ignored."
    Params = PathParams

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, PathParams)
        return parse_path(raw, params.case_sensitive, params.drive_optional)


CHECKER = PathChecker
