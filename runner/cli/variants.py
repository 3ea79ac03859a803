"""Variants of generated scenarios: ``dflab variant``, and the variant side of ``verify`` and
``grade`` (``--variants N``, ``--seed S``)."""

from __future__ import annotations

import argparse
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from runner.cli.context import Ctx, add_json_flag
from runner.errors import ExitCode, InputError, UsageError
from runner.generate.materialize import SEED_BITS, materialize, variant_seed
from runner.home import Home
from runner.scenario.catalogue import resolve_ref
from runner.scenario.loader import LoadedScenario, load_scenario

ANSWERS_FILE = "answers.yaml"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("variant", help="write one variant's evidence and its answer sheet")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--seed", metavar="S", help="the variant's seed (default: a new one)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="an empty or new folder: evidence, answers.yaml, variant.json")
    add_json_flag(p)
    p.set_defaults(func=run_variant)


def run_variant(args: argparse.Namespace, ctx: Ctx) -> int:
    loaded = load_scenario(resolve_ref(args.scenario, ctx.env))
    if not loaded.generated:
        raise UsageError(f"scenario '{loaded.id}' generates no evidence",
                         fix="its evidence is the same for everybody: 'dflab verify' tests it")
    seed = variant_seed(args.seed) if args.seed is not None else secrets.randbits(SEED_BITS)
    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out} is not an empty folder", where="--out",
                         fix="name a new folder, or empty this one")
    made = materialize(loaded, seed, out)
    for ev in loaded.evidence:  # the shipped files too: DIR is the lab's /evidence
        shutil.copyfile(ev.path, out / ev.name)
    sheet = answer_sheet(made, out, Home(ctx.home).cache)
    (out / ANSWERS_FILE).write_text(
        f"# dflab answer sheet: {loaded.id}, variant seed {seed}\n"
        f"# dflab grade {loaded.path} --seed {seed} --answers {out / ANSWERS_FILE}\n"
        + yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False), encoding="utf-8")
    files = [(e.name, e.sha256) for e in made.evidence]
    if args.json:
        ctx.print_json({"scenario": loaded.id, "seed": seed, "out": str(out),
                        "answers": str(out / ANSWERS_FILE),
                        "evidence": [{"name": n, "sha256": d} for n, d in files]})
        return ExitCode.OK
    from runner.ui.variants import files_table

    ctx.console.print(files_table(f"{loaded.id}: variant {seed} in {out}", files))
    ctx.info(f"answer sheet: {out / ANSWERS_FILE}")
    return ExitCode.OK


def answer_sheet(made: LoadedScenario, out: Path, cache_dir: Path | None) -> dict[str, Any]:
    """A trainer's answers for this variant: the templated reference solution of each task,
    else its key; files a solution names are copied under ``out/solutions``."""
    from runner.session.grading import solutions
    from runner.session.keys import resolve_keys

    keys = resolve_keys(made, cache_dir)
    given = solutions(made, out)
    sheet: dict[str, Any] = {}
    for task in made.model.tasks:  # in task order, a key where no solution is written
        if task.id in given:
            sheet[task.id] = given[task.id]
        elif keys[task.id][0].values:
            values = list(keys[task.id][0].values)
            sheet[task.id] = values if len(values) > 1 else values[0]
    return sheet


@contextmanager
def variant_of(loaded: LoadedScenario, seed: str | None) -> Iterator[LoadedScenario]:
    """The scenario as variant ``seed`` (generated into a temporary folder), or as it is
    when it generates nothing."""
    if not loaded.generated:
        if seed is not None:
            raise UsageError(f"scenario '{loaded.id}' generates no evidence: --seed has no "
                             "effect", fix="leave out --seed")
        yield loaded
        return
    if seed is None and any(g.seed == "seat" for g in loaded.generated):
        raise UsageError(f"scenario '{loaded.id}' generates evidence per trainee: say which "
                         "variant", fix="give --seed S (a seat's seed is in the gradebook's "
                         "variant_seed column)")
    with tempfile.TemporaryDirectory(prefix="dflab-variant-") as tmp:
        yield materialize(loaded, variant_seed(seed) if seed is not None else 0, Path(tmp))


def verify_generated(loaded: LoadedScenario, count: int, as_json: bool, ctx: Ctx
                     ) -> dict[str, Any]:
    """Self-test ``count`` variants of a generated scenario, with progress; its report."""
    from runner.generate.selftest import verify_variants
    from runner.ui.variants import variants_progress, variants_table

    if count < 1:
        raise UsageError(f"--variants {count}: give 1 or more", fix="e.g. --variants 20")
    with variants_progress(ctx.err_console, f"{loaded.id}: variants") as progress:
        bar = progress.add_task("variants", total=count)
        checks = verify_variants(loaded, count, Home(ctx.home).cache,
                                 done=lambda _c: progress.advance(bar))
    rows = [c.as_dict() for c in checks]
    missing = [t.id for t in loaded.model.tasks if t.solution is None]
    ok = all(c.ok for c in checks) and not missing
    if not as_json:
        ctx.console.print(variants_table(f"{loaded.id}: {count} variant(s) self-tested", rows))
        if missing:
            ctx.info(f"[yellow]no solution for:[/] {', '.join(missing)}")
    return {"scenario": loaded.id, "ok": ok, "missing_solutions": missing, "variants": rows,
            "failed": sum(not c.ok for c in checks)}
