"""Commands that describe what dflab knows: ``list``, ``checkers``, ``schema``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from runner.checkers import registry
from runner.cli.context import Ctx, add_json_flag
from runner.errors import DflabError
from runner.scenario.blocks import BLOCKS, catalogue_row
from runner.scenario.catalogue import scenario_files
from runner.scenario.loader import load_scenario
from runner.scenario.schema import scenario_schema
from runner.ui.render import checker_table, scenario_table


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("list", help="list the scenarios in the catalogue")
    p.add_argument("--lang", default="en", help="language of titles (default: en)")
    p.add_argument("--block", choices=BLOCKS, help="only scenarios of this course block")
    p.add_argument("--level", choices=("beginner", "intermediate", "advanced"))
    p.add_argument("--language", metavar="CODE",
                   help="only scenarios whose texts are complete in this language")
    p.add_argument("--kind", metavar="KIND", help="only scenarios with this evidence kind "
                   "(capture, disk, ewf, ..., or file for anything else)")
    p.add_argument("--course", metavar="COURSE", help="only the scenarios of this course")
    add_json_flag(p)
    p.set_defaults(func=run_list)
    p = sub.add_parser("checkers", help="list the answer types and their parameters")
    add_json_flag(p)
    p.set_defaults(func=run_checkers)
    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    p.set_defaults(func=run_schema)


def _wanted(row: dict[str, Any], args: argparse.Namespace, in_course: set[str] | None) -> bool:
    return ((not args.block or args.block in row["blocks"])
            and (not args.level or args.level == row["level"])
            and (not args.language or args.language in row["languages"])
            and (not args.kind or args.kind in row["evidence_kinds"])
            and (in_course is None or row["id"] in in_course))


def run_list(args: argparse.Namespace, ctx: Ctx) -> int:
    in_course: set[str] | None = None
    if args.course:
        from runner.scenario.course import resolve_course

        in_course = {i.scenario for i in resolve_course(args.course, ctx.env).model.items()}
    rows, broken = [], []
    for path in scenario_files(ctx.env):
        try:
            loaded = load_scenario(path, verify_evidence=False)
        except DflabError as exc:
            broken.append(f"{path}: {exc.one_line()}")
            continue
        rows.append(catalogue_row(loaded, args.lang))
    rows = [r for r in rows if _wanted(r, args, in_course)]
    if args.json:
        ctx.print_json({"scenarios": rows, "broken": broken})
    else:
        ctx.console.print(scenario_table(rows))
        for line in broken:
            ctx.info(f"[yellow]skipped[/] {line} (run 'dflab validate' on it)")
    return 0


def checker_rows() -> list[dict[str, Any]]:
    rows = []
    for checker in registry().all():
        params = []
        for name, field in checker.Params.model_fields.items():
            annotation = getattr(field.annotation, "__name__", None) or str(field.annotation)
            # A default_factory leaves ``field.default`` unset (PydanticUndefined): call it.
            default = ("required" if field.is_required()
                       else repr(field.get_default(call_default_factory=True)))
            params.append({"name": name, "type": annotation.replace("typing.", ""),
                           "default": default, "description": field.description or ""})
        kinds = [k for k, ok in (("answer", checker.accepts_text), ("file", checker.accepts_file))
                 if ok]
        rows.append({"name": checker.name, "summary": checker.summary, "params": params,
                     "sealable": checker.sealable, "input": " or ".join(kinds)})
    return rows


def run_checkers(args: argparse.Namespace, ctx: Ctx) -> int:
    rows = checker_rows()
    if args.json:
        ctx.print_json({"checkers": rows, "warnings": registry().warnings})
    else:
        ctx.console.print(checker_table(rows))
        for warning in registry().warnings:
            ctx.info(f"[yellow]warning:[/] {warning}")
    return 0


def run_schema(args: argparse.Namespace, ctx: Ctx) -> int:
    ctx.stdout.write(json.dumps(scenario_schema(), indent=2) + "\n")
    return 0
