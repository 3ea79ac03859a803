"""``dflab class ...``: classroom batch sessions (create, start, serve, board, steer, grade)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from runner.classroom import controls, gradebook, lifecycle, offline
from runner.classroom.addresses import is_loopback, trainee_addresses
from runner.classroom.course_step import advance, current_scenario, set_course
from runner.classroom.credentials import write_credentials
from runner.classroom.gateway import fingerprint
from runner.classroom.roster import read_roster
from runner.classroom.serve import serve_class
from runner.classroom.status import class_status
from runner.cli import grants
from runner.cli.classroom_attach import run_attach
from runner.cli.context import Ctx, add_json_flag
from runner.errors import ExitCode, RefusedError, UsageError
from runner.home import Home
from runner.scenario.catalogue import resolve_ref
from runner.ui.board import board_table

SEAT_CONTROLS = ("pause", "resume", "extend", "reset", "stop")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    top = sub.add_parser("class", help="classroom: a lab per trainee, SSH seats, gradebook")
    cmds = top.add_subparsers(dest="class_command", metavar="ACTION")
    p = cmds.add_parser("create", help="create a class from a roster CSV")
    p.add_argument("name")
    p.add_argument("--scenario", action="append",
                   help="scenario id or file; repeat for several (a seat picks one at login)")
    p.add_argument("--course", metavar="COURSE",
                   help="the course's scenarios, in course order (planned ones left out)")
    p.add_argument("--roster", required=True, type=Path, help="CSV: id,name[,email,language]")
    p.add_argument("--minutes", type=int, help="time box per seat (default: none)")
    p.add_argument("--lang", default="en", help="default task language (default: en)")
    p.add_argument("--clock", choices=lifecycle.CLOCKS, default="start",
                   help="when a seat's time starts: at 'class start' (default) or at the "
                   "seat's first SSH login")
    p.add_argument("--credentials-out", type=Path, metavar="FILE",
                   help="write the seat passwords to FILE (mode 0600) instead of printing them")
    p.add_argument("--seed", type=int, metavar="N", help="class seed: each seat's variant seed "
                   "is derived from it and the seat id (default: a new one)")
    p.add_argument("--variants-at-start", action="store_true",
                   help="generated scenarios: make the seats' variants during 'class start' "
                   "(default: now, so the start only checks them)")
    p.set_defaults(func=run_create)
    p = cmds.add_parser("list", help="the classes")
    add_json_flag(p)
    p.set_defaults(func=run_list)
    p = cmds.add_parser("start", help="start every seat's lab (in parallel)")
    p.add_argument("name")
    p.add_argument("seats", nargs="*", help="only these seats")
    p.add_argument("--parallel", type=int, default=4, help="labs started at once (default: 4)")
    p.add_argument("--backend", choices=("docker", "local"), default="docker")
    add_json_flag(p)
    p.set_defaults(func=run_start)
    p = cmds.add_parser("serve", help="serve the seats' labs and the SSH gateway")
    p.add_argument("name")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; "
                   "0.0.0.0 for trainees on other machines)")
    p.add_argument("--port", type=int, default=2222)
    p.add_argument("--rate", type=int, default=30, help="answers per seat per minute (30)")
    p.set_defaults(func=run_serve)
    p = cmds.add_parser("attach")  # run by the gateway on a seat's terminal
    p.add_argument("name")
    p.add_argument("seat")
    p.add_argument("scenario", nargs="?", default="")
    p.set_defaults(func=run_attach)  # in runner/cli/classroom_attach.py
    p = cmds.add_parser("next", help="move a course's class to its next scenario")
    p.add_argument("name")
    add_json_flag(p)
    p.set_defaults(func=run_next)
    _register_watch(cmds)
    _register_results(cmds)
    top.set_defaults(func=lambda args, ctx: _help(top, ctx))


def _register_watch(cmds: argparse._SubParsersAction[Any]) -> None:
    p = cmds.add_parser("board", help="live scoreboard")
    p.add_argument("name")
    p.add_argument("--once", action="store_true", help="print one frame and exit")
    p.add_argument("--every", type=float, default=2.0, help="seconds between refreshes")
    p.set_defaults(func=run_board)
    p = cmds.add_parser("status", help="every seat's standing")
    p.add_argument("name")
    add_json_flag(p)
    p.set_defaults(func=run_status)
    for action in SEAT_CONTROLS:
        p = cmds.add_parser(action, help=f"{action} seats" + (" (no SEAT: every seat)"
                                                              if action == "stop" else ""))
        p.add_argument("name")
        p.add_argument("seats", nargs="*" if action == "stop" else "+", metavar="SEAT")
        if action == "extend":
            p.add_argument("--minutes", type=int, required=True)
        if action == "reset":
            p.add_argument("--clear-answers", action="store_true",
                           help="start a new session (default: keep answers, fresh container)")
        add_json_flag(p)
        p.set_defaults(func=run_control, action=action)
    grants.register_class(cmds)
    p = cmds.add_parser("delete", help="forget a class: seats, passwords, labs, grades")
    p.add_argument("name")
    p.add_argument("--yes", action="store_true",
                   help="also when the class was never exported (its results are lost)")
    add_json_flag(p)
    p.set_defaults(func=run_delete)
    p = cmds.add_parser("key", help="register an SSH public key for a seat")
    p.add_argument("name")
    p.add_argument("seat")
    p.add_argument("pubkey", type=Path, help="an OpenSSH public key file")
    p.set_defaults(func=run_key)


def _register_results(cmds: argparse._SubParsersAction[Any]) -> None:
    p = cmds.add_parser("collect", help="stop every lab, re-check evidence, freeze results")
    p.add_argument("name")
    add_json_flag(p)
    p.set_defaults(func=run_collect)
    p = cmds.add_parser("export", help="write the gradebook (per task, per trainee, LMS files)")
    p.add_argument("name")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--output", type=Path, metavar="DIR", help="folder (default: current)")
    add_json_flag(p)
    p.set_defaults(func=run_export)
    p = cmds.add_parser("grade", help="grade a folder of answer files (<seat>.yaml)")
    p.add_argument("name")
    p.add_argument("--answers", type=Path, required=True, metavar="DIR")
    add_json_flag(p)
    p.set_defaults(func=run_grade)


def _help(parser: argparse.ArgumentParser, ctx: Ctx) -> int:
    parser.print_help(ctx.stdout)
    return ExitCode.USAGE


def run_create(args: argparse.Namespace, ctx: Ctx) -> int:
    roster = read_roster(args.roster)
    paths, course = _class_scenarios(args, ctx)
    if args.credentials_out and args.credentials_out.exists():
        raise RefusedError(f"{args.credentials_out} already exists",
                           fix="choose a new file; passwords are shown only once")
    for trainee in roster:
        if trainee.warning:
            ctx.info(f"[yellow]warning:[/] {args.roster}:{trainee.line}: {trainee.warning}")
    issued = lifecycle.create_class(ctx.home, args.name, paths, roster, args.minutes, args.lang,
                                    clock=args.clock, seed=args.seed)
    if course:
        with Home(ctx.home).classes() as classes:
            set_course(classes, args.name, course, next(iter(classes.get(args.name).scenarios)))
    if args.credentials_out:
        write_credentials(args.credentials_out, issued, args.name)
        ctx.info(f"class {args.name}: {len(issued)} seats; passwords in "
                 f"{args.credentials_out} (mode 0600)")
    else:
        ctx.info(f"class {args.name}: {len(issued)} seats; passwords (shown once):")
        for trainee, password in issued:
            ctx.stdout.write(f"{trainee.seat}\t{password}\t{trainee.name}\n")
    if not args.variants_at_start:
        _prepare_variants(args.name, ctx)  # after the passwords: a Ctrl-C here loses none
    ctx.info(f"next: 'dflab class start {args.name}', then 'dflab class serve {args.name}'")
    return ExitCode.OK


def _prepare_variants(name: str, ctx: Ctx) -> None:
    """Make the seats' variants of generated scenarios now, with progress, so that
    ``class start`` only checks them; what fails is made (and reported) at the start."""
    columns = (TextColumn("making variants"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    began = time.monotonic()
    with Progress(*columns, console=ctx.err_console, transient=True) as bar:
        task = bar.add_task("variants", total=None)
        try:
            outcomes = lifecycle.prepare_variants(
                ctx.home, name, lambda done, total: bar.update(task, completed=done,
                                                               total=total))
        except KeyboardInterrupt:
            outcomes = None
    if outcomes is None:
        ctx.info(f"[yellow]making variants interrupted[/]: 'dflab class start {name}' makes "
                 "the missing ones")
    elif outcomes:
        ctx.info(f"{sum(1 for o in outcomes if not o.error)} of {len(outcomes)} seat variants "
                 f"made ({time.monotonic() - began:.1f} s); 'class start' only checks them")
    for o in outcomes or []:
        if o.error:
            ctx.info(f"[yellow]seat {o.seat}[/] ({o.scenario}): variant not made: {o.error}"
                     " ('class start' tries again)")


def _class_scenarios(args: argparse.Namespace, ctx: Ctx) -> tuple[list[Path], str]:
    """The scenario files of a new class (from --scenario, or --course in its order)."""
    if bool(args.scenario) == bool(args.course):
        raise UsageError("name the class's scenarios with --scenario or --course (one of them)",
                         fix="e.g. 'dflab class create NAME --course network-investigation'")
    if args.scenario:
        return [resolve_ref(ref, ctx.env) for ref in args.scenario], ""
    from runner.scenario.course import resolve_course

    course = resolve_course(args.course, ctx.env)
    return [course.scenario_paths[i.scenario] for i in course.model.items()
            if i.scenario in course.scenario_paths], course.id


def run_next(args: argparse.Namespace, ctx: Ctx) -> int:
    with Home(ctx.home).classes() as classes:
        before, now = advance(classes, args.name)
    if args.json:
        ctx.print_json({"class": args.name, "previous": before, "current": now})
    else:
        ctx.info(f"class {args.name}: now on {now} (was {before}); seats logging in open it, "
                 f"and their {before} results stay in the gradebook")
    return ExitCode.OK


def run_list(args: argparse.Namespace, ctx: Ctx) -> int:
    with Home(ctx.home).classes() as classes:
        rows: list[dict[str, Any]] = [
            {"name": c.name, "scenarios": list(c.scenarios), "minutes": c.minutes,
             "seats": len(classes.seats(c.name)), "frozen": c.frozen,
             "current": current_scenario(classes, c.name)}
            for c in classes.classes()]
    if args.json:
        ctx.print_json({"classes": rows})
    else:
        for r in rows:
            ctx.stdout.write(f"{r['name']}\t{r['seats']} seats\t{', '.join(r['scenarios'])}"
                             f"{' (collected)' if r['frozen'] else ''}\n")
    return ExitCode.OK


def run_start(args: argparse.Namespace, ctx: Ctx) -> int:
    with Home(ctx.home).classes() as classes:  # closed before the labs start
        total = len(classes.labs(args.name))
    columns = (TextColumn("starting labs"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    began = time.monotonic()
    with Progress(*columns, console=ctx.err_console, transient=True,
                  disable=args.json) as bar:
        task = bar.add_task("labs", total=total)
        # Ctrl-C: lifecycle.StartInterrupted (exit 130) once the labs underway are recorded.
        outcomes = lifecycle.start_class(ctx.home, args.name, backend_name=args.backend,
                                         parallel=args.parallel, seats=args.seats or None,
                                         progress=lambda _: bar.advance(task))
    failed = [o for o in outcomes if o.error]
    if args.json:
        ctx.print_json({"class": args.name, "started": [o.__dict__ for o in outcomes
                                                         if not o.error],
                        "failed": [o.__dict__ for o in failed],
                        "seconds": round(time.monotonic() - began, 2)})
    else:
        ctx.info(f"{len(outcomes) - len(failed)} of {len(outcomes)} labs running "
                 f"({time.monotonic() - began:.1f} s)")
        for o in failed:
            ctx.info(f"[red]seat {o.seat}[/] ({o.scenario}): {o.error}")
    return ExitCode.BACKEND if failed else ExitCode.OK


def run_serve(args: argparse.Namespace, ctx: Ctx) -> int:
    def ready(port: int) -> None:
        ctx.info(f"class {args.name}: SSH gateway listening on {args.host}:{port}; "
                 "Ctrl-C to stop serving")
        if is_loopback(args.host):
            ctx.info(f"[yellow]only this machine can connect[/] ({args.host} is loopback); "
                     "for trainees on other machines: --host 0.0.0.0")
        for address in trainee_addresses(args.host):
            ctx.info(f"trainees: ssh SEAT@{address} -p {port}")
        ctx.info(f"host key fingerprint: "
                 f"{fingerprint(ctx.home)}")

    asyncio.run(serve_class(ctx.home, args.name, host=args.host, port=args.port,
                            rate_per_minute=args.rate, log=ctx.info, ready=ready))
    return ExitCode.OK


def run_board(args: argparse.Namespace, ctx: Ctx) -> int:
    with Home(ctx.home).classes() as classes:
        loaded = lifecycle.load_class_scenarios(classes.get(args.name))
    if args.once:
        ctx.console.print(board_table(class_status(ctx.home, args.name, loaded=loaded)))
        return ExitCode.OK
    frame = board_table(class_status(ctx.home, args.name, loaded=loaded))
    live = Live(frame, console=ctx.console, auto_refresh=False, screen=False)
    with live, contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(max(0.2, args.every))
            live.update(board_table(class_status(ctx.home, args.name, loaded=loaded)),
                        refresh=True)
    return ExitCode.OK


def run_status(args: argparse.Namespace, ctx: Ctx) -> int:
    status = class_status(ctx.home, args.name)
    if args.json:
        ctx.print_json(status)
    else:
        ctx.console.print(board_table(status))
    return ExitCode.OK


def run_control(args: argparse.Namespace, ctx: Ctx) -> int:
    done: dict[str, Any] = {}
    if not args.seats:  # only 'stop' takes no seat: the whole class
        with Home(ctx.home).classes() as classes:
            args.seats = [s.seat for s in classes.seats(args.name)
                          if s.status in ("running", "paused")]
        if not args.seats and not args.json:
            ctx.info(f"class {args.name}: no running or paused seat to stop")
    for seat in args.seats:
        if args.action == "pause":
            controls.pause_seat(ctx.home, args.name, seat)
        elif args.action == "resume":
            controls.resume_seat(ctx.home, args.name, seat)
        elif args.action == "extend":
            controls.extend_seat(ctx.home, args.name, seat, args.minutes)
        elif args.action == "reset":
            done[seat] = controls.reset_seat(ctx.home, args.name, seat,
                                             clear_answers=args.clear_answers)
        else:
            done[seat] = controls.stop_seat(ctx.home, args.name, seat)
            if args.action == "stop" and done[seat] and not args.json:
                ctx.info(f"[red]seat {seat}: evidence changed:[/] {', '.join(done[seat])}")
        if not args.json:
            ctx.info(f"seat {seat}: {args.action} done")
    if args.json:
        ctx.print_json({"class": args.name, "action": args.action, "seats": args.seats,
                        "detail": done})
    return ExitCode.OK


def run_key(args: argparse.Namespace, ctx: Ctx) -> int:
    text = args.pubkey.read_text(encoding="utf-8").strip()
    if not text.startswith(("ssh-", "ecdsa-", "sk-")):
        raise RefusedError(f"{args.pubkey} is not an OpenSSH public key",
                           fix="give the .pub file (e.g. ~/.ssh/id_ed25519.pub)")
    with Home(ctx.home).classes() as classes:
        seat = classes.seat(args.name, args.seat)
        keys = "\n".join(k for k in (seat.pubkeys, text) if k)
        classes.update_seat(args.name, args.seat, pubkeys=keys)
    ctx.info(f"seat {args.seat}: key registered")
    return ExitCode.OK


def run_collect(args: argparse.Namespace, ctx: Ctx) -> int:
    result = controls.collect_class(ctx.home, args.name)
    if args.json:
        ctx.print_json(result)
    else:
        ctx.info(f"class {args.name}: labs stopped, results frozen")
        for seat, files in result["evidence_changed"].items():
            ctx.info(f"[red]seat {seat}: evidence changed:[/] {', '.join(files)}")
        for seat, error in result["errors"].items():
            ctx.info(f"[red]seat {seat}:[/] {error}")
    return ExitCode.INTEGRITY if result["evidence_changed"] else ExitCode.OK


def run_delete(args: argparse.Namespace, ctx: Ctx) -> int:
    result = lifecycle.delete_class(ctx.home, args.name, force=args.yes)
    if args.json:
        ctx.print_json(result)
    else:
        ctx.info(f"class {args.name} deleted ({result['seats']} seats); its sessions are kept "
                 "('dflab status'), their work is removed by 'dflab gc --yes'")
    return ExitCode.OK


def run_export(args: argparse.Namespace, ctx: Ctx) -> int:
    written = gradebook.export(ctx.home, args.name, args.format, args.output or Path.cwd())
    if args.json:
        ctx.print_json({"class": args.name, "files": [str(p) for p in written]})
    else:
        for path in written:
            ctx.info(f"wrote {path}")
    return ExitCode.OK


def run_grade(args: argparse.Namespace, ctx: Ctx) -> int:
    report = offline.grade_folder(ctx.home, args.name, args.answers)
    if args.json:
        ctx.print_json({"class": args.name, "graded": report})
    else:
        for r in report:
            ctx.stdout.write(f"{r['seat']}\t{r['scenario']}\t{r['score']:g}/{r['max_score']:g}"
                             f"\t{r['percent']}%\n")
    return ExitCode.OK


__all__ = ["register"]
