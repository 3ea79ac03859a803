"""A class working through a course: which of its scenarios is current, and moving on.

The class keeps every scenario's lab (results of earlier scenarios stay on the board
and in the gradebook); ``current`` only decides which lab a seat's login opens when
the trainee names none. Kept in the class's metadata, so no schema change.
"""

from __future__ import annotations

from runner.classroom.store import ClassStore
from runner.errors import RefusedError

COURSE, CURRENT = "course", "current"


def set_course(classes: ClassStore, name: str, course_id: str, first: str) -> None:
    classes.set_meta(name, COURSE, course_id)
    classes.set_meta(name, CURRENT, first)


def current_scenario(classes: ClassStore, name: str) -> str:
    """The scenario the class is on ('' for a class not made from a course)."""
    return classes.meta(name, CURRENT)


def advance(classes: ClassStore, name: str) -> tuple[str, str]:
    """Move the class to its next scenario; (previous, now current)."""
    order = list(classes.get(name).scenarios)
    now = current_scenario(classes, name) or order[0]
    at = order.index(now) if now in order else 0
    if at + 1 >= len(order):
        raise RefusedError(f"class {name} is already on its last scenario ({now})",
                           fix="'dflab class collect' ends the class")
    classes.set_meta(name, CURRENT, order[at + 1])
    return now, order[at + 1]
