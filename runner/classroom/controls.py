"""Steering seats: pause, resume, extend, reset, stop; the time box; collecting results.

Every control writes the class tables first, so a seat's service (in the
``dflab class serve`` process) refuses answers from that moment; the lab
container is then paused, removed or re-created to match.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from runner.classroom.lifecycle import release
from runner.classroom.store import ClassStore, SeatRow
from runner.errors import DflabError, UsageError
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


def _active(classes: ClassStore, home: Path, name: str, seat: str) -> list[Running]:
    out = []
    for lab in classes.labs(name, seat):
        if lab.session_id and classes.store.session(lab.session_id).status == "active":
            out.append(existing_session(home, lab.session_id))
    return out


def set_lab_paused(running: Running, paused: bool) -> None:
    """Freeze (or thaw) a Docker lab's processes; other backends only get the flag."""
    client = getattr(running.backend, "client", None)
    if client is None or running.backend.name != "docker" or not running.handle.ref:
        return
    from runner.backends.docker import engine_errors

    with engine_errors(f"{'pausing' if paused else 'resuming'} lab {running.handle.ref[:12]}"):
        container = client.containers.get(running.handle.ref)
        if paused and container.status == "running":
            container.pause()
        elif not paused and container.status == "paused":
            container.unpause()


def pause_seat(home: Path, name: str, seat: str) -> None:
    """Stop the seat's clock, refuse its answers, freeze its lab."""
    classes = ClassStore.open(home)
    try:
        row = _seat(classes, name, seat)
        if row.paused_at is not None:
            raise UsageError(f"seat '{seat}' is already paused",
                             fix=f"'dflab class resume {name} {seat}'")
        classes.update_seat(name, seat, paused_at=time.time(), status="paused")
        for running in _active(classes, home, name, seat):
            set_lab_paused(running, True)
            running.store.event(running.row.id, "seat-paused")
            release(running)
    finally:
        classes.close()


def resume_seat(home: Path, name: str, seat: str) -> None:
    """Thaw a paused seat; the paused time is added back to its clock."""
    classes = ClassStore.open(home)
    try:
        row = _seat(classes, name, seat)
        if row.paused_at is None:
            raise UsageError(f"seat '{seat}' is not paused", fix="nothing to do")
        classes.shift_clock(name, seat, time.time() - row.paused_at, paused_at=None,
                            status="running")
        for running in _active(classes, home, name, seat):
            set_lab_paused(running, False)
            running.store.event(running.row.id, "seat-resumed")
            release(running)
    finally:
        classes.close()


def extend_seat(home: Path, name: str, seat: str, minutes: int) -> None:
    """Give a seat more time; a seat whose time had run out gets its labs back."""
    if minutes <= 0:
        raise UsageError(f"--minutes must be positive, not {minutes}", fix="e.g. --minutes 10")
    classes = ClassStore.open(home)
    try:
        row = _seat(classes, name, seat)
        classes.shift_clock(name, seat, minutes * 60.0)
        if row.status == "ended":
            for lab in classes.labs(name, seat):
                if lab.session_id:
                    classes.store.update_session(lab.session_id, status="active")
                    release(reopen_session(home, lab.session_id))
            classes.update_seat(name, seat, status="running")
    finally:
        classes.close()


def reset_seat(home: Path, name: str, seat: str, *, clear_answers: bool) -> list[str]:
    """A fresh lab for a seat; its session ids afterwards.

    Keeping answers keeps the session (attempts, hints, clock) and re-creates
    only the container with an empty /work. Clearing answers closes the old
    session (kept, marked ``reset``, for the audit trail) and starts a new one.
    """
    classes = ClassStore.open(home)
    try:
        row = _seat(classes, name, seat)
        if row.paused_at is not None:
            classes.shift_clock(name, seat, time.time() - row.paused_at, paused_at=None)
        new_ids = []
        for running in _active(classes, home, name, seat):
            try:
                new_ids.append(_reset_lab(home, classes, name, row, running, clear_answers))
            finally:
                release(running)
        classes.update_seat(name, seat, status="running")
        return new_ids
    finally:
        classes.close()


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
                          lang=row.lang, trainee=row.trainee_id, seat=row.seat)
    try:
        fresh.store.event(fresh.row.id, "seat-reset", kept_answers=False,
                          replaces=running.row.id, seed=row.seed)
        classes.set_lab(name, row.seat, running.loaded.id, session_id=fresh.row.id)
        return fresh.row.id
    finally:
        release(fresh)


def stop_seat(home: Path, name: str, seat: str, *, status: str = "stopped") -> list[str]:
    """Stop a seat's labs (its /work is kept); evidence files that changed."""
    classes = ClassStore.open(home)
    try:
        _seat(classes, name, seat, open_class=False)
        classes.update_seat(name, seat, status=status)
        changed: list[str] = []
        for running in _active(classes, home, name, seat):
            try:
                changed += stop_session(running, remove=False)
            finally:
                release(running)
        return changed
    finally:
        classes.close()


def expire_seats(home: Path, name: str, now: float | None = None) -> list[str]:
    """Stop the labs of running seats whose time is up; the seats stopped."""
    classes = ClassStore.open(home)
    try:
        cls = classes.get(name)
        due = [s.seat for s in classes.seats(name)
               if s.status == "running" and s.time_left(cls.minutes, now) == 0]
    finally:
        classes.close()
    for seat in due:
        stop_seat(home, name, seat, status="ended")
    return due


def collect_class(home: Path, name: str) -> dict[str, Any]:
    """Stop every lab, re-hash every seat's evidence, and freeze the results."""
    classes = ClassStore.open(home)
    try:
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
                was_active = running.row.status == "active"
                diff = stop_session(running, remove=False) if was_active else \
                    verify_at_stop(running)
                if diff:
                    changed.setdefault(lab.seat, []).extend(diff)
            except DflabError as exc:
                errors[lab.seat] = exc.one_line()
            finally:
                release(running)
        for seat in classes.seats(name):
            if seat.status in ("running", "paused"):
                classes.update_seat(name, seat.seat, status="stopped")
        return {"class": name, "frozen": True, "evidence_changed": changed, "errors": errors}
    finally:
        classes.close()
