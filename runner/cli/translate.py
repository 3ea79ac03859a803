"""Translation commands: ``translate export``, ``translate import``, ``translate mark``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from runner.cli.context import Ctx, add_json_flag
from runner.errors import ExitCode, InputError
from runner.scenario.catalogue import resolve_ref
from runner.scenario.translate import export_po, import_po, mark_translations


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("translate", help="translate scenarios: gettext PO export and import")
    tsub = p.add_subparsers(dest="translate_command", metavar="ACTION", required=True)
    q = tsub.add_parser("export", help="write a scenario's texts as a PO file for a translator")
    q.add_argument("scenario", metavar="SCENARIO")
    q.add_argument("--lang", required=True, help="target language code, e.g. kk")
    q.add_argument("--output", type=Path, metavar="FILE",
                   help="default: SCENARIO-ID.LANG.po in the current folder")
    q.set_defaults(func=run_export)
    q = tsub.add_parser("import", help="merge a translated PO file back into its scenario")
    q.add_argument("po", type=Path, metavar="FILE.po")
    q.add_argument("--scenario", metavar="SCENARIO",
                   help="default: the scenario named in the PO header")
    add_json_flag(q)
    q.set_defaults(func=run_import)
    q = tsub.add_parser("mark", help="record hand-edited translations as up to date")
    q.add_argument("scenario", metavar="SCENARIO")
    q.add_argument("--lang", action="append", required=True, help="language code; repeatable")
    q.set_defaults(func=run_mark)


def run_export(args: argparse.Namespace, ctx: Ctx) -> int:
    path = resolve_ref(args.scenario, ctx.env)
    po = export_po(path, args.lang)
    out = args.output or Path(f"{po.metadata['X-Dflab-Scenario'] or path.stem}.{args.lang}.po")
    po.save(str(out))
    done = sum(1 for e in po if e.msgstr)
    ctx.info(f"wrote {out}: {len(po)} texts, {done} already translated into {args.lang}")
    return ExitCode.OK


def run_import(args: argparse.Namespace, ctx: Ctx) -> int:
    if not args.po.is_file():
        raise InputError(f"no PO file {args.po}", where=str(args.po), fix="check the path")
    ref = args.scenario or _scenario_of(args.po)
    path = resolve_ref(ref, ctx.env)
    report = import_po(args.po, path)
    if args.json:
        ctx.print_json({"scenario": str(path), "lang": report.lang, "merged": report.merged,
                        "unchanged": report.unchanged,
                        "skipped": [{"context": c, "why": w} for c, w in report.skipped]})
        return ExitCode.OK
    ctx.info(f"{path}: {len(report.merged)} texts merged into '{report.lang}', "
             f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped")
    for context, why in report.skipped:
        ctx.info(f"[yellow]skipped[/] {context}: {why}")
    return ExitCode.OK


def _scenario_of(po: Path) -> str:
    import polib

    name = str(polib.pofile(str(po)).metadata.get("X-Dflab-Scenario", "")).strip()
    if not name:
        raise InputError(f"{po} does not name its scenario", where=str(po),
                         fix="pass --scenario SCENARIO")
    return name


def run_mark(args: argparse.Namespace, ctx: Ctx) -> int:
    path = resolve_ref(args.scenario, ctx.env)
    n = mark_translations(path, args.lang)
    ctx.info(f"{path}: {n} translations recorded as made from the current English")
    return ExitCode.OK
