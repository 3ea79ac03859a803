"""Trainee commands: ``start``, ``resume``, ``status``, ``stop``, ``gc``, ``report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.cli.context import Ctx, add_json_flag
from runner.errors import DflabError, ExitCode, UsageError
from runner.scenario.catalogue import DEFAULT_SCENARIO, resolve_ref
from runner.ui.build import RichBuildReporter
from runner.ui.render import sessions_table, tasks_table

if TYPE_CHECKING:
    from runner.session.runtime import Running

# The scenario model, checkers and session runtime are imported inside the commands:
# 'dflab start' starts the lab's container while those imports are still loading.


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("start", help="start a lab for a scenario and open its shell")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario id or file (default: {DEFAULT_SCENARIO})")
    p.add_argument("--backend", choices=("local", "docker"),
                   help="where the lab runs (default: docker when an engine answers, else local)")
    p.add_argument("--lang", default="en", help="language of the task text (default: en)")
    p.add_argument("--trainee", help="trainee name for reports (default: your user name)")
    p.add_argument("--seed", metavar="S", help="generated evidence: the variant to make "
                   "(default: a new one; 'dflab report' shows it)")
    _exit_flags(p)
    p.set_defaults(func=run_start)
    p = sub.add_parser("resume", help="re-open a session's lab (default: the newest active one)")
    p.add_argument("session", nargs="?")
    _exit_flags(p)
    p.set_defaults(func=run_resume)
    p = sub.add_parser("status", help="sessions and scores, or one session's tasks")
    p.add_argument("session", nargs="?")
    add_json_flag(p)
    p.set_defaults(func=run_status)
    p = sub.add_parser("stop", help="stop a session and remove its lab")
    p.add_argument("session", nargs="?")
    p.add_argument("--keep-work", action="store_true", help="keep the lab's work folder/volume")
    add_json_flag(p)
    p.set_defaults(func=run_stop)
    p = sub.add_parser("gc", help="remove labs and folders dflab left behind (only dflab's)")
    p.add_argument("--dry-run", action="store_true", help="only show what would be removed")
    p.add_argument("--yes", action="store_true",
                   help="also remove trainees' work folders/volumes (never those of classes "
                   "not yet exported)")
    add_json_flag(p)
    p.set_defaults(func=run_gc)
    p = sub.add_parser("report", help="a session report: findings, attempts, evidence hashes")
    p.add_argument("session", nargs="?")
    p.add_argument("--format", choices=("md", "html", "json"), default="md")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=run_report)


def _exit_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", metavar="CMD",
                   help="run CMD in the lab instead of an interactive shell (scripts, benchmarks)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--keep", action="store_true", help="keep the lab when you leave")
    group.add_argument("--remove", action="store_true", help="remove the lab when you leave")


def run_start(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.scenario.yamlsrc import load_source
    from runner.session.prelaunch import prelaunch

    path = resolve_ref(args.scenario, ctx.env)
    source = load_source(path)  # read once: the early start and validation share it
    early = prelaunch(source, ctx.home, args.backend, args.lang)
    try:
        from runner.generate.materialize import variant_seed
        from runner.scenario.loader import load_scenario
        from runner.session.runtime import start_session

        loaded = load_scenario(path, source=source)
        seed = variant_seed(args.seed) if args.seed is not None else None
    except BaseException:
        if early is not None:
            early.cancel()
        raise
    with RichBuildReporter(ctx.err_console) as reporter:
        running = start_session(ctx.home, loaded, backend_name=args.backend, lang=args.lang,
                                trainee=args.trainee, reporter=reporter, early=early,
                                seed=seed)
    with running:
        ctx.info(f"session [bold]{running.row.id}[/]: {running.row.title} "
                 f"({running.backend.name} backend)")
        return _work(running, args, ctx)


def run_resume(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.session.runtime import reopen_session

    with RichBuildReporter(ctx.err_console) as reporter:
        running = reopen_session(ctx.home, args.session, reporter=reporter)
    with running:
        ctx.info(f"resuming session [bold]{running.row.id}[/]: {running.row.title}")
        return _work(running, args, ctx)


def _work(running: Running, args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.session.runtime import stop_session, verify_at_stop

    if not running.backend.isolated and not args.run:
        ctx.info("[yellow]note:[/] local lab: not isolated from this machine "
                 "(install Docker for a contained lab)")
    service = running.serve()
    try:
        if args.run:
            rc, output = running.backend.run(running.handle, running.spec,
                                             ["sh", "-c", args.run])
            ctx.stdout.write(output)
        else:
            rc = running.backend.shell(running.handle, running.spec)
    finally:
        service.close()
    _print_score(running, ctx)
    remove = args.remove or (not args.keep and not args.run and _ask_remove(ctx))
    if remove:
        changed = stop_session(running, remove=True)
        ctx.info(f"lab removed; 'dflab report {running.row.id}' still shows the session")
    else:
        changed = verify_at_stop(running)
        ctx.info(f"lab kept: 'dflab resume {running.row.id}' to continue")
    if changed:
        ctx.info(f"[red]evidence changed during the session:[/] {', '.join(changed)} "
                 "(recorded in the session report)")
        return ExitCode.INTEGRITY
    return rc if args.run else ExitCode.OK


def _ask_remove(ctx: Ctx) -> bool:
    if not (ctx.stdin.isatty() and sys.stdin is ctx.stdin):
        return False
    ctx.stderr.write("Keep the lab for 'dflab resume'? [Y/n] ")
    ctx.stderr.flush()
    try:
        reply = ctx.stdin.readline().strip().lower()
    except (EOFError, KeyboardInterrupt):
        return False
    return reply in ("n", "no")


def _print_score(running: Running, ctx: Ctx) -> None:
    from runner.session.scoring import session_scores, summary

    scores = session_scores(running.store, running.row.id, running.loaded.model.tasks)
    rows = [s.__dict__ for s in scores]
    ctx.err_console.print(tasks_table(running.row.title, rows, summary(scores)))


def _session_rows(home: Path) -> list[dict[str, Any]]:
    from runner.scenario.loader import load_scenario
    from runner.session.runtime import open_store
    from runner.session.scoring import session_scores, summary

    rows = []
    with open_store(home) as store:
        for row in store.sessions():
            try:
                tasks = load_scenario(Path(row.scenario_path), verify_evidence=False).model.tasks
                total = summary(session_scores(store, row.id, tasks))
            except DflabError:
                total = {"score": 0, "max_score": 0}
            rows.append({"id": row.id, "scenario": row.scenario_id, "trainee": row.trainee,
                         "backend": row.backend, "status": row.status,
                         "created_at": row.created_at, **total})
    return rows


def run_status(args: argparse.Namespace, ctx: Ctx) -> int:
    if args.session is None:
        rows = _session_rows(ctx.home)
        if args.json:
            ctx.print_json({"sessions": rows})
        else:
            ctx.console.print(sessions_table(rows))
        return ExitCode.OK
    from runner.session.runtime import existing_session
    from runner.session.scoring import session_scores, summary

    with existing_session(ctx.home, args.session) as running:
        scores = session_scores(running.store, running.row.id, running.loaded.model.tasks)
    rows = [s.__dict__ for s in scores]
    if args.json:
        ctx.print_json({"session": running.row.id, "status": running.row.status,
                        "tasks": rows, "total": summary(scores)})
    else:
        ctx.console.print(tasks_table(f"{running.row.id}: {running.row.title}", rows,
                                      summary(scores)))
    return ExitCode.OK


def run_stop(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.session.runtime import existing_session, stop_session

    with existing_session(ctx.home, args.session) as running:
        if running.row.status != "active":
            raise UsageError(f"session {running.row.id} is already {running.row.status}",
                             fix="'dflab status' lists active sessions")
        changed = stop_session(running, remove=not args.keep_work)
    if args.json:
        ctx.print_json({"session": running.row.id, "stopped": True, "evidence_changed": changed})
    else:
        ctx.info(f"session {running.row.id} stopped")
    return ExitCode.INTEGRITY if changed else ExitCode.OK


def run_gc(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.classroom.retention import unexported_sessions
    from runner.session.runtime import collect_garbage

    keep_work = unexported_sessions(ctx.home)
    planned = collect_garbage(ctx.home, dry_run=True, keep_work=keep_work)
    if not args.dry_run:
        collect_garbage(ctx.home, work=args.yes, keep_work=keep_work)
    work = [p for p in planned if p.startswith(("volume ", "work "))]
    removed = [] if args.dry_run else [p for p in planned if args.yes or p not in work]
    kept = [] if args.dry_run or args.yes else work
    if args.json:
        ctx.print_json({"dry_run": args.dry_run, "would_remove": planned if args.dry_run else [],
                        "removed": removed, "kept_work": kept})
        return ExitCode.OK
    for label, items in (("would remove", planned if args.dry_run else []),
                         ("removed", removed), ("kept (trainees' work: --yes removes it)", kept)):
        if items or (label == "removed" and not args.dry_run):
            ctx.info(f"{label}: {len(items)} item(s)")
        for item in items:
            ctx.info(f"  {item}")
    return ExitCode.OK


def run_report(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.report.build import build_report, render_report
    from runner.session.runtime import existing_session

    with existing_session(ctx.home, args.session) as running:
        text = render_report(build_report(running), args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        ctx.info(f"report written to {args.output}")
    else:
        ctx.stdout.write(text)
    return ExitCode.OK
