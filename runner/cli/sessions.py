"""Trainee commands: ``start``, ``resume``, ``status``, ``stop``, ``gc``, ``report``."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.cli.context import Ctx, add_json_flag
from runner.errors import DflabError, ExitCode, InputError, NotFoundError, UsageError
from runner.home import Home
from runner.scenario.catalogue import DEFAULT_SCENARIO, resolve_ref
from runner.session.labtext import NO, YES, check_lang, tr
from runner.ui.build import RichBuildReporter
from runner.ui.render import sessions_table, tasks_table

if TYPE_CHECKING:
    from runner.session.runtime import Running
    from runner.session.store import SessionRow

# The scenario model, checkers and session runtime are imported inside the commands:
# 'dflab start' starts the lab's container while those imports are still loading.


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("start", help="start a lab for a scenario and open its shell")
    p.add_argument("scenario", nargs="?", default=None,
                   help=f"scenario id or file (default: {DEFAULT_SCENARIO})")
    p.add_argument("--backend", choices=("local", "docker"),
                   help="where the lab runs (default: docker when an engine answers, else local)")
    p.add_argument("--lang",
                   help="language of the tasks and of the lab's messages: en, uk, ru "
                        "(default: en)")
    p.add_argument("--trainee", help="trainee name for reports (default: your user name)")
    p.add_argument("--course", metavar="COURSE",
                   help="start your next unfinished scenario of this course")
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
    group = p.add_mutually_exclusive_group()
    group.add_argument("--keep-work", action="store_true",
                       help="keep the lab's work folder/volume")
    group.add_argument("--yes", "-y", action="store_true",
                       help="delete the work folder without asking (an archive is kept)")
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
    p.add_argument("--output", metavar="FILE",
                   help="write to FILE (default: standard output; for html, a file in the "
                        "dflab home)")
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

    problem = check_lang(args.lang or "en")
    if problem:
        raise UsageError(problem, fix="e.g. 'dflab start --lang uk'")
    path = _course_next(args, ctx) if args.course else resolve_ref(
        args.scenario or DEFAULT_SCENARIO, ctx.env)
    _need_terminal(args, ctx)
    active = _active_of(ctx.home, path)
    if active is not None and _ask_resume(ctx, active.id, args.lang or active.lang):
        args.session = active.id
        return run_resume(args, ctx)
    args.lang = args.lang or "en"
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
            early.discard()
        raise
    with RichBuildReporter(ctx.err_console) as reporter:
        running = start_session(ctx.home, loaded, backend_name=args.backend, lang=args.lang,
                                trainee=args.trainee, reporter=reporter, early=early,
                                seed=seed)
    with running:
        _say(ctx, tr("host.started", running.row.lang, session=running.row.id,
                     title=running.row.title, backend=running.backend.name))
        return _work(running, args, ctx)


def _course_next(args: argparse.Namespace, ctx: Ctx) -> Path:
    """The trainee's next unfinished scenario of ``--course`` (planned ones skipped)."""
    from runner.scenario.course import resolve_course
    from runner.scenario.course_plan import finished_scenarios, next_scenario

    if args.scenario:
        raise UsageError("name a scenario or --course, not both",
                         fix=f"'dflab start --course {args.course}' picks the scenario")
    course = resolve_course(args.course, ctx.env)
    path = next_scenario(course, finished_scenarios(ctx.home))
    if path is None:
        raise NotFoundError(f"every scenario of course '{course.id}' is finished",
                            fix=f"'dflab course show {course.id}' shows the course")
    ctx.info(f"course {course.id}: next is {path.stem}")
    return path


def _need_terminal(args: argparse.Namespace, ctx: Ctx) -> None:
    """An interactive lab needs a terminal: refuse before anything is created."""
    if args.run or _is_terminal(ctx):
        return
    raise UsageError("standard input is not a terminal, so the lab's shell cannot be opened",
                     fix="run dflab from a terminal, or pass --run 'COMMAND' for a script")


def _is_terminal(ctx: Ctx) -> bool:
    try:
        return bool(ctx.stdin.isatty())
    except (AttributeError, ValueError):
        return False


def _active_of(home: Path, path: Path) -> SessionRow | None:
    """The newest active personal session of the scenario file ``path``, if any."""
    if not Home(home).db.exists():
        return None
    from runner.session.runtime import open_store

    with open_store(home) as store:
        rows = [r for r in store.sessions("active")
                if not r.seat and Path(r.scenario_path).resolve() == path.resolve()]
    return rows[-1] if rows else None


def _ask_resume(ctx: Ctx, session: str, lang: str) -> bool:
    if not _is_terminal(ctx):
        ctx.info(f"note: session {session} of this scenario is still active; "
                 f"'{dflab_command()} resume {session}' continues it")
        return False
    return _ask(ctx, tr("host.resume", lang, session=session), default=True)


def run_resume(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.session.runtime import reopen_session

    _need_terminal(args, ctx)
    with RichBuildReporter(ctx.err_console) as reporter:
        running = reopen_session(ctx.home, args.session, reporter=reporter)
    with running:
        _say(ctx, tr("host.resuming", running.row.lang, session=running.row.id,
                     title=running.row.title))
        return _work(running, args, ctx)


def _work(running: Running, args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.session.runtime import stop_session, verify_at_stop

    if not running.backend.isolated and not args.run:
        _say(ctx, tr("host.not_isolated", running.row.lang))
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
    lang = running.row.lang
    remove = args.remove or (not args.keep and not args.run
                             and not _ask(ctx, tr("host.keep", lang), default=True))
    command = dflab_command()
    if remove:
        changed = stop_session(running, remove=True)
        _say(ctx, tr("host.removed", lang, command=f"{command} report {running.row.id}"))
        _say_archive(ctx, running, lang)
    else:
        changed = verify_at_stop(running)
        _say(ctx, tr("host.kept", lang, command=f"{command} resume {running.row.id}"))
    if changed:
        ctx.info(f"[red]evidence changed during the session:[/] {', '.join(changed)} "
                 "(recorded in the session report)")
        return ExitCode.INTEGRITY
    return rc if args.run else ExitCode.OK


def _ask(ctx: Ctx, question: str, *, default: bool) -> bool:
    """A yes/no question on the terminal; ``default`` when the answer is empty or absent."""
    if not (_is_terminal(ctx) and sys.stdin is ctx.stdin):
        return default
    ctx.stderr.write(question)
    ctx.stderr.flush()
    try:
        reply = ctx.stdin.readline().strip().lower()
    except (EOFError, KeyboardInterrupt):
        return default
    return reply in YES if not default else reply not in NO


def _say(ctx: Ctx, text: str) -> None:
    """A line holding a path or a command to copy: never wrapped, never styled."""
    ctx.err_console.print(text, soft_wrap=True, markup=False, highlight=False)


def _say_archive(ctx: Ctx, running: Running, lang: str) -> None:
    from runner.session.runtime import work_archive

    archive = work_archive(running.home, running.row.id)
    if archive.exists():
        _say(ctx, tr("host.archived", lang, path=archive))


def dflab_command() -> str:
    """What the trainee can type to run dflab again: ``dflab`` when the shell finds this
    same command, else its full path (``make lab`` installs into .venv, not on PATH)."""
    found = shutil.which("dflab")
    here = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if found and here is not None and Path(found).resolve() == here:
        return "dflab"
    if here is not None and here.name == "dflab" and here.is_file():
        return shlex.quote(str(Path(sys.argv[0]).absolute()))
    beside = Path(sys.executable).with_name("dflab")
    if beside.is_file():
        return shlex.quote(str(beside))
    return f"{shlex.quote(sys.executable)} -m runner.cli"


def _print_score(running: Running, ctx: Ctx) -> None:
    from runner.session.scoring import session_scores, summary

    scores = session_scores(running.store, running.row.id, running.loaded.model.tasks)
    rows = [s.__dict__ for s in scores]
    ctx.err_console.print(tasks_table(running.row.title, rows, summary(scores),
                                      running.row.lang))


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
            item = {"id": row.id, "scenario": row.scenario_id, "trainee": row.trainee,
                    "backend": row.backend, "status": row.status, "seat": row.seat,
                    "created_at": row.created_at, **total}
            if row.seat:
                item["class"] = next((e.get("cls", "") for e in store.events(row.id)
                                      if e["kind"] == "class-seat"), "")
            rows.append(item)
    return rows


def run_status(args: argparse.Namespace, ctx: Ctx) -> int:
    if args.session is None:
        rows = _session_rows(ctx.home)
        personal = [r for r in rows if not r["seat"]]
        seats = [r for r in rows if r["seat"]]
        if args.json:
            ctx.print_json({"sessions": personal, "class_seats": seats})
            return ExitCode.OK
        ctx.console.print(sessions_table(personal))
        if seats:
            ctx.console.print(sessions_table(seats, title="Class seats ('dflab class status' "
                                                          "manages them)"))
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
                                      summary(scores), running.row.lang))
    return ExitCode.OK


def run_stop(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.session.runtime import existing_session, stop_session, work_archive

    with existing_session(ctx.home, args.session) as running:
        if running.row.status != "active":
            raise UsageError(f"session {running.row.id} is already {running.row.status}",
                             fix="'dflab status' lists active sessions")
        lang, archive = running.row.lang, work_archive(ctx.home, running.row.id)
        remove = not args.keep_work
        if remove and not args.yes:
            if not _is_terminal(ctx) or sys.stdin is not ctx.stdin:
                raise UsageError(f"stopping session {running.row.id} deletes its work folder",
                                 fix="add --yes to delete it (an archive is kept) "
                                     "or --keep-work")
            remove = _ask(ctx, tr("host.stop_confirm", lang, session=running.row.id,
                                  path=archive), default=False)
        changed = stop_session(running, remove=remove)
    if args.json:
        ctx.print_json({"session": running.row.id, "stopped": True, "work_removed": remove,
                        "work_archive": str(archive) if archive.exists() else None,
                        "evidence_changed": changed})
    else:
        _say(ctx, tr("host.stopped", lang, session=running.row.id))
        if remove:
            _say_archive(ctx, running, lang)
        else:
            _say(ctx, tr("host.work_kept", lang))
    return ExitCode.INTEGRITY if changed else ExitCode.OK


def run_gc(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.classroom.retention import prepared_variants, unexported_sessions
    from runner.session.runtime import collect_garbage

    keep_work, keep_variants = unexported_sessions(ctx.home), prepared_variants(ctx.home)
    planned = collect_garbage(ctx.home, dry_run=True, keep_work=keep_work,
                              keep_variants=keep_variants)
    if not args.dry_run:
        collect_garbage(ctx.home, work=args.yes, keep_work=keep_work,
                        keep_variants=keep_variants)
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

    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        raise InputError(f"the folder {output.parent} does not exist", where="--output",
                         fix=f"create it ('mkdir -p {shlex.quote(str(output.parent))}') "
                             "or write elsewhere")
    with existing_session(ctx.home, args.session) as running:
        text = render_report(build_report(running), args.format)
    if output is None and args.format == "html":
        # A page is for a browser, not a terminal: write it where the session lives.
        output = Home(ctx.home).reports / f"{running.row.id}.html"
        output.parent.mkdir(parents=True, exist_ok=True)
    if output is None:
        ctx.stdout.write(text)
        return ExitCode.OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}", where=str(output),
                         fix="choose a writable --output path") from None
    _say(ctx, f"report written to {output}")
    return ExitCode.OK
