"""Commands that describe what dflab knows: ``list``, ``checkers``, ``schema``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from runner.checkers import registry
from runner.cli.context import Ctx, add_json_flag
from runner.errors import DflabError
from runner.scenario.catalogue import scenario_files
from runner.scenario.loader import load_scenario
from runner.scenario.model import pick_text
from runner.scenario.schema import scenario_schema
from runner.ui.render import checker_table, scenario_table


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("list", help="list the scenarios in the catalogue")
    p.add_argument("--lang", default="en", help="language of titles (default: en)")
    add_json_flag(p)
    p.set_defaults(func=run_list)
    p = sub.add_parser("checkers", help="list the answer types and their parameters")
    add_json_flag(p)
    p.set_defaults(func=run_checkers)
    p = sub.add_parser("schema", help="print the JSON Schema of the scenario format")
    p.set_defaults(func=run_schema)


def run_list(args: argparse.Namespace, ctx: Ctx) -> int:
    rows, broken = [], []
    for path in scenario_files(ctx.env):
        try:
            loaded = load_scenario(path, verify_evidence=False)
        except DflabError as exc:
            broken.append(f"{path}: {exc.one_line()}")
            continue
        m = loaded.model
        rows.append({"id": m.id, "title": pick_text(m.title, args.lang),
                     "difficulty": m.difficulty, "minutes": m.estimated_minutes,
                     "tasks": len(m.tasks), "points": sum(t.points for t in m.tasks),
                     "lab": m.lab, "tags": m.tags, "path": str(path)})
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
