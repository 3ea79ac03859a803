"""Trainer commands: ``validate``, ``verify``, ``grade``, ``seal``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from runner.cli.context import Ctx, add_json_flag
from runner.errors import DflabError, ExitCode, InputError, show_path
from runner.generate.selftest import probe_variant
from runner.home import Home
from runner.scenario.catalogue import resolve_ref
from runner.scenario.gating import gating_warnings, key_size_warnings
from runner.scenario.loader import LoadedScenario, load_scenario, validate_scenario
from runner.scenario.problems import Problem, yaml_warnings
from runner.scenario.seal import seal_text
from runner.scenario.translate import translation_problems
from runner.scenario.yamlsrc import load_source
from runner.session.grading import grade, read_sheet, solutions, total
from runner.ui.render import results_table


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("validate", help="check scenario files; report every problem at once")
    p.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    add_json_flag(p)
    p.set_defaults(func=run_validate)
    p = sub.add_parser("verify", help="self-test scenarios: their solutions must score 100%%")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.add_argument("--variants", type=int, metavar="N",
                   help="scenarios with generated evidence: self-test N variants (default 1)")
    add_json_flag(p)
    p.set_defaults(func=run_verify)
    p = sub.add_parser("grade", help="grade an answer sheet against a scenario")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--answers", required=True, metavar="FILE",
                   help="YAML/JSON mapping task id -> answer (a path for file tasks)")
    p.add_argument("--seed", metavar="S",
                   help="the variant to grade against (generated evidence: the seat's seed)")
    add_json_flag(p)
    p.set_defaults(func=run_grade)
    p = sub.add_parser("seal", help="replace plain expected answers by salted hashes")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--output", metavar="FILE", help="write here instead of rewriting SCENARIO")
    p.add_argument("--keep-solutions", action="store_true",
                   help="keep reference solutions (they reveal the answers)")
    p.set_defaults(func=run_seal)


def _expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if _is_dir(path):
            files += sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
        else:
            files.append(path)
    return files


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):  # a name too long or with a NUL byte: reported when read
        return False


def run_validate(args: argparse.Namespace, ctx: Ctx) -> int:
    files = _expand(args.paths)
    if not files:
        raise InputError("no scenario files found", where=" ".join(args.paths),
                         fix="name .yaml files or folders holding them")
    problems: list[Problem] = []
    for file in files:
        if _is_course(file):
            from runner.scenario.course import validate_course

            course, found = validate_course(file, ctx.env)
            problems += found
            if course is not None:
                problems += translation_problems(load_source(file), file)
            continue
        loaded, found = validate_scenario(file)
        problems += found
        if loaded is None:
            continue
        # A generated scenario is checked on a probe variant: story problems show now.
        with probe_variant(loaded, Home(ctx.home).cache) as (probed, drawn):
            problems += drawn
            if probed is not None and not drawn:
                problems += _key_warnings(probed, ctx) + gating_warnings(probed)
        problems += translation_problems(loaded.source, file)
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        ctx.print_json({"files": [show_path(f) for f in files], "ok": not errors,
                        "problems": [p.as_dict() for p in problems]})
    else:
        for p in problems:
            style = "red" if p.severity == "error" else "yellow"
            ctx.console.print(f"[{style}]{p.severity}[/]: {p.one_line()}", markup=True,
                              highlight=False, soft_wrap=True)
        warn = len(problems) - len(errors)
        verdict = "[green]ok[/]" if not errors else "[red]invalid[/]"
        ctx.console.print(f"{verdict}: {len(files)} file(s), {len(errors)} error(s), "
                          f"{warn} warning(s)")
    return ExitCode.INVALID_INPUT if errors else ExitCode.OK


def _is_course(file: Path) -> bool:
    """A course file: in a 'courses' folder, or a mapping with 'days' and no 'tasks'."""
    if file.parent.name == "courses":
        return True
    try:
        data = load_source(file).data
    except DflabError:
        return False
    return isinstance(data, dict) and "days" in data and "tasks" not in data


def _key_warnings(loaded: LoadedScenario, ctx: Ctx) -> list[Problem]:
    """Queries that find nothing, and keys larger than any answer may be."""
    from runner.session.keys import resolve_keys

    try:
        keys = resolve_keys(loaded, cache_dir=Home(ctx.home).cache)
    except DflabError as exc:
        return [Problem(str(loaded.path), 1, "tasks", f"a query failed: {exc.one_line()}",
                        "check the query against 'dflab facts'", "error")]
    out = key_size_warnings(loaded, {t: k for t, (k, _) in keys.items()})
    for index, task in enumerate(loaded.model.tasks):
        key = keys[task.id][0]
        if loaded.answers[task.id].query is not None and not key.values:
            line = loaded.source.line_of(("tasks", index, "answer", "expected"))
            out.append(Problem(str(loaded.path), line, f"tasks[{index}].answer.expected",
                               "the query finds nothing in the shipped evidence",
                               "loosen 'where' or check the table with 'dflab facts'",
                               "warning"))
    return out


def _results(loaded: LoadedScenario, sheet: dict[str, Any], base: Path, ctx: Ctx,
             where: Path | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Grade a sheet; ``where`` (the sheet file) names the source in messages."""
    results = grade(loaded, sheet, base, cache_dir=Home(ctx.home).cache,
                    where=str(where or base))
    return [r.as_dict() for r in results], total(results)


def run_grade(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.cli.variants import variant_of

    loaded = load_scenario(resolve_ref(args.scenario, ctx.env))
    sheet_path = Path(args.answers)
    sheet, warnings = read_sheet(sheet_path)
    with variant_of(loaded, args.seed) as made:
        rows, summary = _results(made, sheet, sheet_path.resolve().parent, ctx, sheet_path)
    if args.json:
        extra = {"seed": made.variant.seed} if made.variant is not None else {}
        ctx.print_json({"scenario": loaded.id, **extra, "tasks": rows, "total": summary,
                        "warnings": [w.as_dict() for w in warnings]})
    else:
        _print_warnings(ctx, warnings)
        ctx.console.print(results_table(f"{loaded.id}: {sheet_path.name}", rows, summary))
    return ExitCode.OK


def _print_warnings(ctx: Ctx, warnings: list[Problem]) -> None:
    for w in warnings:
        ctx.err_console.print(f"warning: {w.one_line()}", markup=False, soft_wrap=True)


def run_verify(args: argparse.Namespace, ctx: Ctx) -> int:
    report, failed = [], False
    for ref in args.scenarios:
        loaded = load_scenario(resolve_ref(ref, ctx.env))
        if loaded.generated:
            from runner.cli.variants import verify_generated

            entry = verify_generated(loaded, args.variants or 1, args.json, ctx)
            failed |= not entry["ok"]
            report.append(entry)
            continue
        sheet = solutions(loaded)
        missing = [t.id for t in loaded.model.tasks if t.id not in sheet]
        rows, summary = _results(loaded, sheet, loaded.path.parent, ctx)
        ok = summary["percent"] == 100.0 and not missing
        failed |= not ok
        warnings = yaml_warnings(loaded.source)  # a key YAML changed passes verify: say so
        report.append({"scenario": loaded.id, "ok": ok, "missing_solutions": missing,
                       "tasks": rows, "total": summary,
                       "warnings": [w.as_dict() for w in warnings]})
        if not args.json:
            ctx.console.print(results_table(f"{loaded.id}: reference solutions", rows, summary))
            _print_warnings(ctx, warnings)
            if missing:
                ctx.info(f"[yellow]no solution for:[/] {', '.join(missing)}")
    if args.json:
        ctx.print_json({"scenarios": report, "ok": not failed})
    return ExitCode.NOT_ALL_CORRECT if failed else ExitCode.OK


def run_seal(args: argparse.Namespace, ctx: Ctx) -> int:
    path = resolve_ref(args.scenario, ctx.env)
    loaded = load_scenario(path)  # a scenario with problems is the trainer's to fix
    target = Path(args.output) if args.output else path
    if target.is_dir():
        target = target / path.name
    if not target.parent.is_dir():
        raise InputError(f"folder {target.parent} does not exist", where="--output",
                         fix="create it first, or name a file in an existing folder")
    result = seal_text(loaded, keep_solutions=args.keep_solutions, target_dir=target.parent)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(result.text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror}", where="--output",
                         fix="choose a folder you can write to") from None
    try:
        load_scenario(tmp)  # never write a file dflab itself cannot read back
    except DflabError as exc:
        tmp.unlink()
        # The plain scenario loaded, so a sealed copy that does not is dflab's fault.
        raise InputError(f"sealing produced an unreadable file: {exc.one_line()}",
                         where=str(path), fix="report this as a bug") from None
    tmp.replace(target)
    ctx.info(f"sealed {len(result.sealed)} task(s) in {target}")
    for task_id, why in result.skipped:
        ctx.info(f"  not sealed: {task_id}: {why}")
    for moved in result.paths_rewritten:
        ctx.info(f"  path rewritten for the new folder: {moved}")
    if result.solutions_removed:
        ctx.info(f"  removed reference solutions of {', '.join(result.solutions_removed)} "
                 "(they reveal the answers; keep a plain copy for 'dflab verify')")
    return ExitCode.OK
