"""The handbook as a list of plain blocks (headings, paragraphs, lists), for md and html.

Keys come from :func:`runner.session.keys.resolve_keys`: computed from the evidence
exactly as a trainee's answer is judged, so the handbook never disagrees with grading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.handbook.labels import label
from runner.scenario.blocks import blocks_of
from runner.scenario.i18n import pick_text
from runner.scenario.loader import LoadedScenario, load_scenario
from runner.scenario.model import FileRef

Block = tuple[str, Any]  # ("h1"|"h2"|"h3"|"p"|"ul"|"dl"|"pre", payload)


def scenario_blocks(loaded: LoadedScenario, lang: str, cache_dir: Path | None,
                    seed: int | None = None, level: int = 1) -> list[Block]:
    """Objectives, case, evidence, and every task with answer, method, hints and notes.

    A scenario with generated evidence is shown as one variant (``seed``, default 1): its
    keys and texts are that variant's, and the answer line says they differ per trainee.
    """
    if not loaded.generated:
        return _scenario_blocks(loaded, lang, cache_dir, seed, level)
    import tempfile

    from runner.generate.materialize import materialize

    with tempfile.TemporaryDirectory(prefix="dflab-handbook-") as tmp:
        made = materialize(loaded, 1 if seed is None else seed, Path(tmp))
        return _scenario_blocks(made, lang, cache_dir, 1 if seed is None else seed, level,
                                per_variant=True)


def _evidence_lines(loaded: LoadedScenario, lang: str) -> list[str]:
    """Each evidence file with its description: shipped files first, then generated ones
    (the order LoadedScenario.evidence has them in)."""
    srcs = loaded.model.evidence
    made = {g.index for g in loaded.generated}
    order = [i for i in range(len(srcs)) if i not in made] + [g.index for g in loaded.generated]
    return [f"{ev.name}: {pick_text(srcs[i].description, lang)} (sha256 {ev.sha256})"
            for ev, i in zip(loaded.evidence, order, strict=True)]


def _scenario_blocks(loaded: LoadedScenario, lang: str, cache_dir: Path | None,
                     seed: int | None, level: int, per_variant: bool = False) -> list[Block]:
    from runner.session.keys import resolve_keys

    m = loaded.model
    h = (f"h{level}", f"h{level + 1}", f"h{level + 2}")
    out: list[Block] = [(h[0], pick_text(m.title, lang))]
    facts = [(label("level", lang), label(m.difficulty, lang)),
             (label("timing", lang), f"{m.estimated_minutes} {label('minutes', lang)}"),
             (label("blocks", lang), ", ".join(blocks_of(m.tags)) or "-"),
             # Shipped evidence: one key for everyone, so a seed changes nothing (said
             # plainly rather than ignored); generated evidence: this seed's variant.
             (label("answer", lang), f"{label('per_variant', lang)} ({label('seed', lang)} "
              f"{seed})" if per_variant else label("same", lang) if seed is None
              else f"{label('same', lang)} ({label('seed', lang)} {seed})")]
    out.append(("dl", facts))
    if m.objectives:
        out += [(h[1], label("objectives", lang)),
                ("ul", [pick_text(o, lang) for o in m.objectives])]
    out += [(h[1], label("case", lang)), ("p", pick_text(m.description, lang))]
    if m.notes:
        out += [(h[1], label("notes", lang)), ("p", pick_text(m.notes, lang))]
    out += [(h[1], label("evidence", lang)),
            ("ul", _evidence_lines(loaded, lang))]
    keys = resolve_keys(loaded, cache_dir=cache_dir)
    out.append((h[1], label("tasks", lang)))
    for n, task in enumerate(m.tasks, start=1):
        out += _task_blocks(loaded, task.id, keys[task.id][0], lang, f"{n}.", h[2])
    return out


def _task_blocks(loaded: LoadedScenario, task_id: str, key: Any, lang: str, number: str,
                 heading: str) -> list[Block]:
    task = loaded.task(task_id)
    attempts = str(task.max_attempts) if task.max_attempts else label("unlimited", lang)
    facts = [(label("points", lang), f"{task.points:g}"), (label("attempts", lang), attempts),
             (label("answer", lang), _answer_text(key, lang))]
    if task.requires:
        facts.append((label("requires", lang), ", ".join(task.requires)))
    if task.solution is not None:
        facts.append((label("solution", lang), _solution_text(task.solution)))
    out: list[Block] = [(heading, f"{label('task', lang)} {number} {task.id}"),
                        ("p", pick_text(task.question, lang)), ("dl", facts)]
    if task.explanation:
        out += [("p*", label("method", lang)), ("p", pick_text(task.explanation, lang))]
    if task.hints:
        out += [("p*", label("hints", lang)),
                ("ul", [f"{pick_text(hint.text, lang)} ({label('cost', lang)} {hint.cost:g})"
                        for hint in task.hints])]
    if task.notes:
        out += [("p*", label("notes", lang)), ("p", pick_text(task.notes, lang))]
    return out


def _answer_text(key: Any, lang: str) -> str:
    values = [str(v) for v in key.values]
    if not values and key.sealed:
        return label("sealed", lang)
    return " | ".join(values)


def _solution_text(solution: Any) -> str:
    if isinstance(solution, FileRef):
        return f"file {solution.file}"
    if isinstance(solution, list):
        return ", ".join(str(v) for v in solution)
    return str(solution)


def course_blocks(course: Any, lang: str, cache_dir: Path | None,
                  seed: int | None = None) -> list[Block]:
    """The course plan, then each of its scenarios (planned ones named only)."""
    m = course.model
    out: list[Block] = [("h1", f"{label('handbook', lang)}: {pick_text(m.title, lang)}"),
                        ("p", pick_text(m.description, lang))]
    if m.audience:
        out += [("p*", label("audience", lang)), ("p", pick_text(m.audience, lang))]
    if m.prerequisites:
        out += [("p*", label("prerequisites", lang)),
                ("ul", [pick_text(p, lang) for p in m.prerequisites])]
    for day in m.days:
        out.append(("h2", pick_text(day.title, lang)))
        if day.objectives:
            out.append(("ul", [pick_text(o, lang) for o in day.objectives]))
        for item in day.scenarios:
            path = course.scenario_paths.get(item.scenario)
            if path is None:
                out += [("h3", item.scenario), ("p", label("planned", lang))]
                continue
            out += scenario_blocks(load_scenario(path), lang, cache_dir, seed, level=3)
    return out
