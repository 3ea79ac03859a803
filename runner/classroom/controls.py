"""Steering seats: pause, resume, extend, reset, stop; the time box; collecting results.

Every control writes the class tables first, so a seat's service (in the
``dflab class serve`` process) refuses answers from that moment; the lab
container is then paused, removed or re-created to match.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runner.classroom.notices import mark_reset
from runner.classroom.store import ClassStore, SeatRow
from runner.errors import DflabError, UsageError
from runner.home import Home
from runner.session.runtime import (
    Running,
    existing_session,
    reopen_session,
    start_session,
    stop_session,
    verify_at_stop,
)


def _seat(classes: ClassStore, name: str, seat: str, *, open_class: bool = True) -> SeatRow:
    if open_class and classes.get(name).frozen:
        raise UsageError(f"class '{name}' is collected and frozen",
                         fix="export it with 'dflab class export'")
    return classes.seat(name, seat)


def _active(classes: ClassStore, home: Path, name: str, seat: str) -> Iterator[Running]:
    """The seat's active labs, opened one at a time (the caller closes each)."""
    for lab in classes.labs(name, seat):
        if lab.session_id and classes.store.session(lab.session_id).status == "active":
            yield existing_session(home, lab.session_id)


def pause_seat(home: Path, name: str, seat: str) -> None:
    """Stop the seat's clock, refuse its answers, freeze its lab."""
    with Home(home).classes() as classes:
        row = _seat(classes, name, seat)
        if row.paused_at is not None:
            raise UsageError(f"seat '{seat}' is already paused",
                             fix=f"'dflab class resume {name} {seat}'")
        classes.update_seat(name, seat, paused_at=time.time(), status="paused")
        for running in _active(classes, home, name, seat):
            with running:
                running.pause()
                running.store.event(running.row.id, "seat-paused")


def resume_seat(home: Path, name: str, seat: str) -> None:
    """Thaw a paused seat; the paused time is added back to its clock."""
    with Home(home).classes() as classes:
        row = _seat(classes, name, seat)
        if row.paused_at is None:
            raise UsageError(f"seat '{seat}' is not paused", fix="nothing to do")
        classes.shift_clock(name, seat, time.time() - row.paused_at, paused_at=None,
                            status="running")
        for running in _active(classes, home, name, seat):
            with running:
                running.unpause()
                running.store.event(running.row.id, "seat-resumed")


def extend_seat(home: Path, name: str, seat: str, minutes: int) -> None:
    """Give a seat more time; a seat whose time had run out gets its labs back."""
    if minutes <= 0:
        raise UsageError(f"--minutes must be positive, not {minutes}", fix="e.g. --minutes 10")
    with Home(home).classes() as classes:
        row = _seat(classes, name, seat)
        classes.shift_clock(name, seat, minutes * 60.0)
        if row.status == "ended":
            for lab in classes.labs(name, seat):
                if lab.session_id:
                    classes.store.update_session(lab.session_id, status="active")
                    reopen_session(home, lab.session_id).close()
            classes.update_seat(name, seat, status="running")


def reset_seat(home: Path, name: str, seat: str, *, clear_answers: bool) -> list[str]:
    """A fresh lab for a seat; its session ids afterwards.

    Keeping answers keeps the session (attempts, hints, clock) and re-creates
    only the container with an empty /work. Clearing answers closes the old
    session (kept, marked ``reset``, for the audit trail) and starts a new one.
    """
    with Home(home).classes() as classes:
        row = _seat(classes, name, seat)
        mark_reset(classes, name, seat, done=False)  # the seat's terminal waits, then rejoins
        try:
            if row.paused_at is not None:
                classes.shift_clock(name, seat, time.time() - row.paused_at, paused_at=None)
            new_ids = []
            for running in _active(classes, home, name, seat):
                with running:
                    new_ids.append(_reset_lab(home, classes, name, row, running,
                                              clear_answers))
            classes.update_seat(name, seat, status="running")
        finally:
            mark_reset(classes, name, seat, done=True)
        return new_ids


def _reset_lab(home: Path, classes: ClassStore, name: str, row: SeatRow, running: Running,
               clear_answers: bool) -> str:
    if not clear_answers:
        running.backend.stop(running.handle, remove_work=True)
        handle = running.backend.prepare(running.spec)
        running.store.update_session(running.row.id, lab_ref=handle.ref)
        running.store.event(running.row.id, "seat-reset", kept_answers=True, ref=handle.ref)
        return running.row.id
    stop_session(running, remove=True)
    running.store.update_session(running.row.id, status="reset")
    fresh = start_session(home, running.loaded, backend_name=running.backend.name,
                          lang=row.lang, trainee=row.trainee_id, seat=row.seat, seed=row.seed)
    with fresh:
        fresh.store.event(fresh.row.id, "seat-reset", kept_answers=False,
                          replaces=running.row.id, seed=row.seed)
        classes.set_lab(name, row.seat, running.loaded.id, session_id=fresh.row.id)
        return fresh.row.id


def stop_seat(home: Path, name: str, seat: str, *, status: str = "stopped") -> list[str]:
    """Stop a seat's labs (its /work is kept); evidence files that changed."""
    with Home(home).classes() as classes:
        _seat(classes, name, seat, open_class=False)
        classes.update_seat(name, seat, status=status)
        changed: list[str] = []
        for running in _active(classes, home, name, seat):
            with running:
                changed += stop_session(running, remove=False)
        return changed


def expire_seats(home: Path, name: str, now: float | None = None) -> list[str]:
    """Stop the labs of running seats whose time is up; the seats stopped."""
    with Home(home).classes() as classes:
        cls = classes.get(name)
        due = [s.seat for s in classes.seats(name)
               if s.status == "running" and s.time_left(cls.minutes, now) == 0]
    for seat in due:
        stop_seat(home, name, seat, status="ended")
    return due


def collect_class(home: Path, name: str) -> dict[str, Any]:
    """Stop every lab, re-hash every seat's evidence, and freeze the results."""
    with Home(home).classes() as classes:
        classes.get(name)
        classes.freeze(name)  # first: no answer slips in while labs are stopping
        changed: dict[str, list[str]] = {}
        errors: dict[str, str] = {}
        for lab in classes.labs(name):
            if not lab.session_id:
                continue
            try:
                running = existing_session(home, lab.session_id)
            except DflabError as exc:
                errors[lab.seat] = exc.one_line()
                continue
            try:
                with running:
                    was_active = running.row.status == "active"
                    diff = stop_session(running, remove=False) if was_active else \
                        verify_at_stop(running)
                if diff:
                    changed.setdefault(lab.seat, []).extend(diff)
            except DflabError as exc:
                errors[lab.seat] = exc.one_line()
        for seat in classes.seats(name):
            if seat.status in ("running", "paused"):
                classes.update_seat(name, seat.seat, status="stopped")
        return {"class": name, "frozen": True, "evidence_changed": changed, "errors": errors}
