"""``dflab handbook``: a trainer's handbook of a scenario or a course, in md or html."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from runner.cli.context import Ctx
from runner.errors import ExitCode, NotFoundError, UsageError
from runner.home import Home


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("handbook", help="a trainer's handbook of a scenario or a course "
                       "(objectives, case, tasks with answers, method, hints, notes)")
    p.add_argument("ref", metavar="SCENARIO|COURSE", help="scenario or course id, or file")
    p.add_argument("--format", choices=("md", "html"), default="md")
    p.add_argument("--lang", default="en", help="language of the texts (default: en)")
    p.add_argument("--seed", type=int, help="a trainee's variant: answers for this seed")
    p.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    p.set_defaults(func=run_handbook)


def run_handbook(args: argparse.Namespace, ctx: Ctx) -> int:
    from runner.handbook.build import course_blocks, scenario_blocks
    from runner.handbook.labels import LABELS, label
    from runner.handbook.render import to_html, to_markdown
    from runner.scenario.catalogue import resolve_ref
    from runner.scenario.course import resolve_course
    from runner.scenario.loader import load_scenario

    if args.lang not in LABELS:
        raise UsageError(f"no handbook language '{args.lang}'",
                         fix=f"use one of: {', '.join(LABELS)}")
    cache = Home(ctx.home).cache
    try:
        loaded = load_scenario(resolve_ref(args.ref, ctx.env))
        blocks = scenario_blocks(loaded, args.lang, cache, args.seed)
        blocks.insert(0, ("p*", label("handbook", args.lang)))
    except NotFoundError:
        try:
            course = resolve_course(args.ref, ctx.env)
        except NotFoundError:
            raise NotFoundError(f"no scenario or course '{args.ref}'",
                                fix="'dflab list' and 'dflab course list' show them") from None
        blocks = course_blocks(course, args.lang, cache, args.seed)
    title = str(next(p for k, p in blocks if k == "h1"))
    text = (to_html(blocks, title, args.lang) if args.format == "html"
            else to_markdown(blocks))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        ctx.info(f"wrote {args.output}")
    else:
        ctx.stdout.write(text)
    return ExitCode.OK
