"""``dflab facts``: explore what the analyzers find in a capture, and try fact queries."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from runner.cli.context import Ctx, add_json_flag
from runner.errors import InputError, UsageError
from runner.evidence.analyzers.base import RunOptions
from runner.evidence.analyzers.registry import all_analyzers, all_tables
from runner.evidence.kinds.dispatch import analyze_evidence as analyze
from runner.evidence.query import resolve_query
from runner.home import Home
from runner.scenario.yamlsrc import parse_source
from runner.ui.facts import capture_progress, catalogue_view, facts_view, query_view

_PROGRESS_FROM = 20 * 1024 * 1024  # bytes; smaller captures finish before a bar helps


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "facts",
        help="show what the analyzers find in evidence (captures, disk images, ...)",
        description="Analyse an evidence file (kind recognised by content: pcap/pcapng, "
        "raw or E01 disk image, ...; gzip/xz/bzip2 unpacked first) and show the fact "
        "tables that scenario queries select from.",
    )
    p.add_argument("capture", nargs="?", metavar="FILE",
                   help="evidence file: capture, disk image, ...")
    p.add_argument(
        "--only",
        action="append",
        metavar="ANALYZER",
        help=f"run only these analyzers (repeatable or comma separated): "
        f"{', '.join(all_analyzers())}; on demand only (not in a plain run): "
        f"{', '.join(n for n, c in all_analyzers().items() if c.on_demand)}",
    )
    p.add_argument("--export-objects", metavar="DIR", help="write reassembled HTTP objects here")
    p.add_argument(
        "--query",
        metavar="YAML",
        help='resolve a fact query, e.g. "{from: dns.queries, select: name}"',
    )
    p.add_argument("--tables", action="store_true", help="list every table and field, then exit")
    p.add_argument("--limit", type=int, default=20, help="rows shown per table (default 20)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Ctx) -> int:
    """Entry point of ``dflab facts``."""
    if args.tables:
        return _tables(args, ctx)
    if not args.capture:
        raise UsageError("give an evidence file (or --tables)", fix="dflab facts FILE")
    capture = Path(args.capture)
    if args.query:
        return _query(args, ctx, capture)
    names = _names(args.only)
    options = RunOptions(export_dir=Path(args.export_objects) if args.export_objects else None)
    size = capture.stat().st_size if capture.is_file() else 0
    if size >= _PROGRESS_FROM:
        with capture_progress(ctx.err_console) as bar:
            task = bar.add_task("capture", total=size)
            facts = analyze(
                capture,
                names,
                options=options,
                progress=lambda done: bar.update(task, completed=min(done, size)),
            )
    else:
        facts = analyze(capture, names, options=options)
    if args.json:
        ctx.print_json({"capture": str(capture), "evidence": str(capture), **facts.to_json()})
    else:
        ctx.console.print(
            facts_view(facts.tables, facts.warnings, facts.warning_count, limit=args.limit)
        )
    if options.export_dir is not None and facts.kind != "capture":
        ctx.info(f"--export-objects writes HTTP objects of captures; {capture} is "
                 f"{facts.kind} evidence, nothing exported (icat extracts files from images)")
    elif options.export_dir is not None:
        count = len(facts.tables.get("http.objects", []))
        ctx.info(f"exported {count} HTTP objects to {options.export_dir}")
    return 0


def _names(only: list[str] | None) -> list[str] | None:
    if not only:
        return None
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    return list(dict.fromkeys(names))


def _tables(args: argparse.Namespace, ctx: Ctx) -> int:
    tables = {
        name: [(f.name, f.type, f.doc) for f in fields] for name, fields in all_tables().items()
    }
    if args.json:
        ctx.print_json(
            {
                name: [dict(zip(("name", "type", "doc"), f, strict=True)) for f in fields]
                for name, fields in tables.items()
            }
        )
    else:
        ctx.console.print(catalogue_view(tables))
    return 0


def _query(args: argparse.Namespace, ctx: Ctx, capture: Path) -> int:
    # Read like a scenario's query (YAML 1.2 core schema), so it finds the same rows.
    spec = parse_source(args.query, Path("--query")).data
    if not isinstance(spec, dict):
        raise InputError("--query must be a mapping", fix="e.g. {from: dns.queries, select: name}")
    resolved = resolve_query(spec, capture, cache_dir=Home(ctx.home).cache)
    if args.json:
        ctx.print_json({"values": list(resolved.values), "provenance": resolved.provenance})
    else:
        ctx.console.print(query_view(resolved.values, resolved.provenance))
    return 0
