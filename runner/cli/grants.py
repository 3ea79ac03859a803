"""``dflab grant`` and ``dflab class grant``: more attempts at one task, answers kept."""

from __future__ import annotations

import argparse
from typing import Any

from runner.cli.context import Ctx, add_json_flag
from runner.errors import ExitCode, NotFoundError, UsageError
from runner.home import Home


def _attempts_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--attempts", type=int, required=True, metavar="N",
                   help="how many more attempts to give (added to the task's limit)")
    p.add_argument("--by", default="trainer", help="who grants (recorded in the session)")
    add_json_flag(p)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("grant", help="give a session more attempts at one task (answers kept)")
    p.add_argument("session", metavar="SESSION")
    p.add_argument("task", metavar="TASK")
    _attempts_flag(p)
    p.set_defaults(func=run_grant)


def register_class(cmds: argparse._SubParsersAction[Any]) -> None:
    """``dflab class grant CLASS SEAT TASK --attempts N`` (added by the class command)."""
    p = cmds.add_parser("grant", help="give a seat more attempts at one task (answers kept)")
    p.add_argument("name", metavar="CLASS")
    p.add_argument("seat", metavar="SEAT")
    p.add_argument("task", metavar="TASK")
    _attempts_flag(p)
    p.set_defaults(func=run_class_grant)


def _report(ctx: Ctx, args: argparse.Namespace, session_id: str, total: int) -> int:
    if args.json:
        ctx.print_json({"session": session_id, "task": args.task, "granted": args.attempts,
                        "extra_attempts": total})
    else:
        ctx.info(f"session {session_id}: {args.attempts} more attempt(s) at '{args.task}' "
                 f"({total} granted in all); answers kept")
    return ExitCode.OK


def run_grant(args: argparse.Namespace, ctx: Ctx) -> int:
    with Home(ctx.home).store() as store:
        session_id = store.session(args.session).id
        total = store.grant_attempts(session_id, args.task, args.attempts, by=args.by)
    return _report(ctx, args, session_id, total)


def run_class_grant(args: argparse.Namespace, ctx: Ctx) -> int:
    if args.attempts < 1:
        raise UsageError("--attempts must be 1 or more", fix="e.g. --attempts 1")
    with Home(ctx.home).classes() as classes:
        classes.seat(args.name, args.seat)  # names the class or seat that does not exist
        sessions = [lab.session_id for lab in classes.labs(args.name, args.seat)
                    if lab.session_id and args.task in classes.store.keys(lab.session_id)]
        if not sessions:
            raise NotFoundError(f"seat {args.seat} of class '{args.name}' has no started lab "
                                f"with a task '{args.task}'",
                                fix=f"'dflab class status {args.name}' shows the seats' labs")
        if len(sessions) > 1:
            raise UsageError(f"task '{args.task}' is in several of the seat's labs",
                             fix=f"grant per session: dflab grant {sessions[0]} {args.task} "
                             f"--attempts {args.attempts}")
        total = classes.store.grant_attempts(sessions[0], args.task, args.attempts,
                                             by=args.by)
    return _report(ctx, args, sessions[0], total)
