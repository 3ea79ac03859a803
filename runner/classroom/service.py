"""The session service of a classroom seat: the solo service, plus the class's rules.

A seat's service refuses answers, submissions and hints while the seat is
paused or stopped, after its deadline, and once the class is collected. The
checks read the class tables on every write request, so ``dflab class pause``
run from another terminal takes effect at once, without restarting anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from runner.classroom.store import ClassStore
from runner.errors import RefusedError
from runner.session.runtime import Running
from runner.session.server import ServiceThread
from runner.session.service import SessionService


class SeatService(SessionService):
    """A :class:`SessionService` bound to one seat of one class."""

    def __init__(self, classes: ClassStore, class_name: str, seat: str,
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = classes
        self.class_name = class_name
        self.seat = seat

    def gate(self) -> None:
        """Raise :class:`RefusedError` when this seat may not answer now."""
        cls = self.classes.get(self.class_name)
        if cls.frozen:
            raise RefusedError("the class is closed: results were collected",
                               fix="ask the trainer; 'lab score' still shows your score")
        seat = self.classes.seat(self.class_name, self.seat)
        if seat.paused_at is not None or seat.status == "paused":
            raise RefusedError("your seat is paused by the trainer",
                               fix="wait until the trainer resumes it, then answer again")
        if seat.status in ("stopped", "ended"):
            raise RefusedError(f"your seat is {seat.status}", fix="ask the trainer")
        left = seat.time_left(cls.minutes)
        if left is not None and left <= 0:
            end = time.strftime("%H:%M", time.localtime(seat.deadline(cls.minutes)))
            raise RefusedError(f"time is up: answering closed at {end}",
                               fix="ask the trainer for more time ('dflab class extend')")

    def _time_left(self) -> int | None:
        seat = self.classes.seat(self.class_name, self.seat)
        left = seat.time_left(self.classes.get(self.class_name).minutes)
        return None if left is None else max(0, int(left))

    def op_hello(self, req: dict[str, Any]) -> dict[str, Any]:
        data = super().op_hello(req)
        return {**data, "class": self.class_name, "seat": self.seat,
                "time_left": self._time_left()}

    def op_tasks(self, req: dict[str, Any]) -> dict[str, Any]:
        return {**super().op_tasks(req), "time_left": self._time_left()}

    def op_answer(self, req: dict[str, Any]) -> dict[str, Any]:
        self.gate()
        return super().op_answer(req)

    def op_submit(self, req: dict[str, Any]) -> dict[str, Any]:
        self.gate()
        return super().op_submit(req)

    def op_hint(self, req: dict[str, Any]) -> dict[str, Any]:
        self.gate()
        return super().op_hint(req)


def serve_seat(running: Running, class_name: str, seat: str, rate_per_minute: int = 30,
               log: Callable[[str], None] | None = None,
               judges: threading.Semaphore | None = None) -> ServiceThread:
    """Serve one seat's session on its own socket (the same place ``Running.serve`` uses)."""
    service = SeatService(ClassStore(running.store), class_name, seat, running.store,
                          running.row.id, running.loaded, running.link(), running.row.lang,
                          rate_per_minute, judges)
    return running.listen(service, log=log)
