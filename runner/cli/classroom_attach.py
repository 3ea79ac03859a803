"""``dflab class attach``: what a trainee's SSH login runs: a menu of labs, then the lab's shell."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import sys
import termios
from typing import Any

from runner.classroom import lifecycle
from runner.classroom.course_step import current_scenario
from runner.cli.context import Ctx
from runner.errors import NotFoundError, RefusedError, UsageError
from runner.home import Home
from runner.scenario.i18n import pick_text
from runner.session.runtime import existing_session
from runner.ui.board import clock


def _take_terminal() -> None:
    """Make the gateway's pty our controlling terminal, so window changes reach us."""
    if os.isatty(0) and os.getsid(0) == os.getpid():
        with contextlib.suppress(OSError):
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_attach(args: argparse.Namespace, ctx: Ctx) -> int:
    _take_terminal()
    with Home(ctx.home).classes() as classes:
        cls = classes.get(args.name)
        seat = classes.seat(args.name, args.seat)
        labs = [lab for lab in classes.labs(args.name, args.seat) if lab.session_id]
        current = current_scenario(classes, args.name)  # a course's class: its step
    if cls.frozen:
        raise RefusedError("this class is over: results were collected", fix="ask the trainer")
    if seat.status in ("paused", "stopped", "ended", "failed", "created"):
        word = {"ended": "time is up", "created": "not started yet"}.get(seat.status,
                                                                          seat.status)
        raise RefusedError(f"seat {seat.seat}: {word}", fix="ask the trainer")
    wanted = args.scenario or current
    chosen = [lab for lab in labs if not wanted or lab.scenario_id == wanted]
    order = list(cls.scenarios)  # as the trainer named them at 'class create'
    chosen.sort(key=lambda lab: order.index(lab.scenario_id) if lab.scenario_id in order else 0)
    if not wanted and len(chosen) > 1:
        chosen = [choose_lab(chosen, _scenario_titles(ctx, cls.name, seat.lang), ctx)]
    if not chosen:
        raise NotFoundError(f"no lab '{wanted}' for seat {seat.seat}",
                            fix="ssh SEAT@HOST -t SCENARIO with one of: "
                            + ", ".join(lab.scenario_id for lab in labs))
    with existing_session(ctx.home, chosen[0].session_id) as running:
        left = seat.time_left(cls.minutes)
        ctx.stderr.write(f"dflab class {cls.name}, seat {seat.seat} ({seat.name}): "
                         f"{running.row.title}; time left "
                         f"{clock(None if left is None else int(left))}\r\n")
        ctx.stderr.flush()
        return running.backend.shell(running.handle, running.spec)


def _scenario_titles(ctx: Ctx, name: str, lang: str) -> dict[str, str]:
    with Home(ctx.home).classes() as classes:
        loaded = lifecycle.load_class_scenarios(classes.get(name))
    return {sid: pick_text(sc.model.title, lang) for sid, sc in loaded.items()}


def choose_lab(labs: list[Any], titles: dict[str, str], ctx: Ctx) -> Any:
    """A menu on the seat's terminal: which of the class's scenarios to open."""
    ctx.stderr.write("This class has several labs:\n")  # the pty adds the \r
    for number, lab in enumerate(labs, 1):
        ctx.stderr.write(f"  {number}) {lab.scenario_id}: {titles.get(lab.scenario_id, '')}"
                         "\n")
    for _ in range(5):
        ctx.stderr.write(f"Open which lab [1-{len(labs)}]? ")
        ctx.stderr.flush()
        answer = sys.stdin.readline()
        if not answer:
            break
        answer = answer.strip()
        picked = [lab for n, lab in enumerate(labs, 1) if answer in (str(n), lab.scenario_id)]
        if picked:
            return picked[0]
        ctx.stderr.write(f"'{answer}' is not one of them\n")
    raise UsageError("no lab chosen", fix="log in again and type a lab's number")
