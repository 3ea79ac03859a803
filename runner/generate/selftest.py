"""Self-tests of generated scenarios: a probe variant at validate time, N variants at verify.

For each variant, the generator and dflab's analyzers check each other: a task whose
key is a story value may name a fact query under ``check:``, and what that query finds
in the generated evidence must be accepted as the answer by the task's own checker.
Then the templated reference solutions must score 100%.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.checkers.base import JudgeContext, Status
from runner.errors import DflabError
from runner.generate.materialize import SEED_BITS, materialize
from runner.generate.seeds import derive_seed
from runner.scenario.loader import LoadedScenario
from runner.scenario.problems import Problem, ScenarioError
from runner.session.grading import grade, solutions, total
from runner.session.keys import resolve_key, resolve_keys, resolve_query_key

PROBE_SEED = 0


@contextmanager
def probe_variant(loaded: LoadedScenario, cache_dir: Path | None = None
                  ) -> Iterator[tuple[LoadedScenario | None, list[Problem]]]:
    """A probe variant of a generated scenario (the scenario itself when nothing is
    generated) and the problems drawing it showed, each at its line in the scenario."""
    if not loaded.generated:
        yield loaded, []
        return
    with tempfile.TemporaryDirectory(prefix="dflab-probe-") as tmp:
        yield _probe(loaded, Path(tmp), cache_dir)


def _probe(loaded: LoadedScenario, folder: Path, cache_dir: Path | None
           ) -> tuple[LoadedScenario | None, list[Problem]]:
    file = str(loaded.path)
    try:
        made = materialize(loaded, PROBE_SEED, folder)
    except ScenarioError as exc:
        return None, exc.problems
    except DflabError as exc:
        return None, [Problem(file, loaded.source.line_of(("evidence",)), "evidence",
                              f"generating a probe variant failed: {exc.message}",
                              exc.fix or "check the story")]
    problems = []
    for index, task in enumerate(made.model.tasks):
        compiled = made.answers[task.id]
        parts: list[tuple[str, Any]] = [("expected", None)]
        if compiled.check is not None:
            parts.append(("check", compiled.check))
        for part, query in parts:
            at = ("tasks", index, "answer", part)
            try:
                if query is None:
                    resolve_key(made, task.id, cache_dir)
                else:
                    resolve_query_key(made, task.id, query, cache_dir)
            except DflabError as exc:
                problems.append(Problem(file, loaded.source.line_of(at),
                                        f"tasks[{index}].answer.{part}", exc.message,
                                        exc.fix or ""))
    return made, problems


@dataclass
class VariantCheck:
    """One variant's self-test."""

    seed: int
    problems: list[str] = field(default_factory=list)
    cross_checked: int = 0
    percent: float = 0.0
    sha256: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.percent == 100.0

    def as_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "ok": self.ok, "problems": self.problems,
                "cross_checked": self.cross_checked, "percent": self.percent,
                "sha256": self.sha256}


def verify_seeds(loaded: LoadedScenario, count: int) -> list[int]:
    """The seeds ``dflab verify --variants N`` checks (the same on every run)."""
    return [derive_seed(loaded.id, "verify", i) % (1 << SEED_BITS) for i in range(count)]


def verify_variants(loaded: LoadedScenario, count: int, cache_dir: Path | None = None,
                    done: Callable[[VariantCheck], None] | None = None) -> list[VariantCheck]:
    """Generate ``count`` variants and self-test each (see the module docstring)."""
    checks = []
    for seed in verify_seeds(loaded, count):
        with tempfile.TemporaryDirectory(prefix="dflab-verify-") as tmp:
            result = check_variant(loaded, seed, Path(tmp), cache_dir)
        checks.append(result)
        if done is not None:
            done(result)
    return checks


def check_variant(loaded: LoadedScenario, seed: int, folder: Path,
                  cache_dir: Path | None = None) -> VariantCheck:
    """Self-test one variant generated into ``folder``."""
    result = VariantCheck(seed)
    try:
        made = materialize(loaded, seed, folder)
        keys = resolve_keys(made, cache_dir)
        result.sha256 = {e.name: e.sha256 for e in made.evidence}
        ctx = JudgeContext(evidence={e.name: e.path for e in made.evidence})
        for task in made.model.tasks:
            compiled = made.answers[task.id]
            if compiled.check is None or not compiled.checker.accepts_text:
                continue
            result.cross_checked += 1
            found, _ = resolve_query_key(made, task.id, compiled.check, cache_dir)
            # several selected fields (a record's parts) come as a mapping: typed as JSON
            typed = "\n".join(json.dumps(v) if isinstance(v, dict) else str(v)
                               for v in found.values)
            verdict = compiled.checker.judge(typed,
                                             keys[task.id][0], compiled.params, ctx)
            if verdict.status is not Status.CORRECT:
                result.problems.append(
                    f"task '{task.id}': the story says {list(keys[task.id][0].values)}, the "
                    f"analyzers find {list(found.values)}")
        with tempfile.TemporaryDirectory(prefix="dflab-solutions-") as stage:
            graded = grade(made, solutions(made, Path(stage)), Path(stage), cache_dir)
        result.percent = float(total(graded)["percent"])
        result.problems += [f"task '{r.task}': reference solution {r.state.value}: "
                            f"{r.verdict.feedback}" for r in graded if r.earned < r.points]
    except DflabError as exc:
        result.problems.append(exc.one_line())
    return result


