"""Course commands: ``course list``, ``course show``, ``course schema``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from runner.cli.context import Ctx, add_json_flag
from runner.errors import DflabError
from runner.scenario.course import course_files, course_schema, load_course, resolve_course
from runner.scenario.course_plan import course_detail, course_summary, finished_scenarios
from runner.ui.courses import course_plan_table, course_table


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("course", help="courses: scenarios ordered into days")
    csub = p.add_subparsers(dest="course_command", metavar="ACTION", required=True)
    q = csub.add_parser("list", help="list the courses")
    q.add_argument("--lang", default="en", help="language of titles (default: en)")
    add_json_flag(q)
    q.set_defaults(func=run_course_list)
    q = csub.add_parser("show", help="show a course day by day, with your progress")
    q.add_argument("course", metavar="COURSE", help="course id or file")
    q.add_argument("--lang", default="en", help="language of texts (default: en)")
    add_json_flag(q)
    q.set_defaults(func=run_course_show)
    q = csub.add_parser("schema", help="print the JSON Schema of the course format")
    q.set_defaults(func=lambda a, c: c.stdout.write(json.dumps(course_schema(), indent=2)
                                                    + "\n") and 0)


def run_course_list(args: argparse.Namespace, ctx: Ctx) -> int:
    rows, broken = [], []
    for path in course_files(ctx.env):
        try:
            rows.append(course_summary(load_course(path, ctx.env), args.lang))
        except DflabError as exc:
            broken.append(f"{path}: {exc.one_line()}")
    if args.json:
        ctx.print_json({"courses": rows, "broken": broken})
    else:
        ctx.console.print(course_table(rows))
        for line in broken:
            ctx.info(f"[yellow]skipped[/] {line}")
    return 0


def run_course_show(args: argparse.Namespace, ctx: Ctx) -> int:
    course = resolve_course(args.course, ctx.env)
    detail = course_detail(course, args.lang, finished_scenarios(ctx.home))
    if args.json:
        ctx.print_json(detail)
    else:
        ctx.console.print(course_plan_table(detail))
    return 0
