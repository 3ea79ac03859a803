"""One-line notices in a seat's terminal: what the trainer (or the clock) just did.

The gateway takes a :class:`SeatState` snapshot of the seat every second and
compares it with the last one; each change a trainee must know about (pause,
resume, extend, reset, stop, time up, collect) becomes one line written into
the SSH channel, whatever the lab's shell is doing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from runner.classroom.store import ClassStore

RESET_MARK = "reset:"  # class_meta key prefix; value: "started <time>" or "done <time>"
RESET_DONE = "done"


@dataclass(frozen=True)
class SeatState:
    """What of a seat the trainee's terminal reacts to."""

    frozen: bool
    status: str
    paused: bool
    extra_seconds: float
    resets: str
    time_left: float | None

    @property
    def over(self) -> bool:
        """The seat's labs are gone for good (collected, stopped, time up)."""
        return self.frozen or self.status in ("stopped", "ended")


def seat_state(classes: ClassStore, name: str, seat: str) -> SeatState:
    cls = classes.get(name)
    row = classes.seat(name, seat)
    return SeatState(cls.frozen, row.status, row.paused_at is not None, row.extra_seconds,
                     classes.meta(name, RESET_MARK + seat), row.time_left(cls.minutes))


def mark_reset(classes: ClassStore, name: str, seat: str, *, done: bool) -> None:
    """Note that a reset of this seat begins or is done (its terminal reconnects)."""
    word = RESET_DONE if done else "started"
    classes.set_meta(name, RESET_MARK + seat, f"{word} {time.time():.6f}")


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"; {int(seconds // 60)} min left"


def notice(before: SeatState, after: SeatState) -> str | None:
    """The line to show for a change of state, or None."""
    if after.frozen and not before.frozen:
        return "the trainer collected the class: your answers are saved; this session ends now"
    if after.status == "ended" and before.status != "ended":
        return "time is up: answering is closed and your lab stops now"
    if after.status == "stopped" and before.status != "stopped":
        return "the trainer stopped your seat (your /work is kept); this session ends now"
    if after.resets != before.resets and not before.resets.startswith("started"):
        return "the trainer reset your lab: reconnecting you to a fresh one"
    if after.paused and not before.paused:
        return ("your seat is paused by the trainer: the lab is frozen and what you type "
                "is ignored until it resumes")
    if before.paused and not after.paused:
        return "your seat is resumed: carry on" + _minutes(after.time_left)
    if after.extra_seconds > before.extra_seconds:
        gained = round((after.extra_seconds - before.extra_seconds) / 60)
        return f"the trainer gave you {gained} more minute(s)" + _minutes(after.time_left)
    return None


def line(text: str) -> bytes:
    """A notice as terminal bytes: on its own line, whatever the cursor was doing."""
    return f"\r\n\x1b[1m[dflab] {text}\x1b[0m\r\n".encode()
