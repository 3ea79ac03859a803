"""The handbook as a list of plain blocks (headings, paragraphs, lists), for md and html.

Keys come from :func:`runner.session.keys.resolve_keys`: computed from the evidence
exactly as a trainee's answer is judged, so the handbook never disagrees with grading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.generate.materialize import materialize
from runner.handbook.labels import label
from runner.scenario.blocks import blocks_of
from runner.scenario.checks import evidence_name
from runner.scenario.i18n import pick_text
from runner.scenario.loader import LoadedScenario, load_scenario
from runner.scenario.model import FileRef

Block = tuple[str, Any]  # ("h1"|"h2"|"h3"|"p"|"ul"|"dl"|"pre", payload)


def scenario_blocks(loaded: LoadedScenario, lang: str, cache_dir: Path | None,
                    seed: int | None = None, level: int = 1) -> list[Block]:
    """Objectives, case, evidence, and every task with answer, method, hints and notes."""
    import tempfile

    # A generated scenario's variant lives only while its keys are computed.
    with tempfile.TemporaryDirectory(prefix="dflab-handbook-") as folder:
        return _scenario_blocks(loaded, lang, cache_dir, seed, level, Path(folder))


def _scenario_blocks(loaded: LoadedScenario, lang: str, cache_dir: Path | None,
                     seed: int | None, level: int, folder: Path) -> list[Block]:
    from runner.session.keys import resolve_keys

    m = loaded.model
    per_variant = bool(loaded.generated)
    if per_variant:  # the answers below are those of one variant: the seed's, or seed 0
        loaded = materialize(loaded, 0 if seed is None else seed, folder)
        m = loaded.model
    h = (f"h{level}", f"h{level + 1}", f"h{level + 2}")
    out: list[Block] = [(h[0], pick_text(m.title, lang))]
    same = label("same", lang) if not per_variant else label("per_variant", lang)
    facts = [(label("level", lang), label(m.difficulty, lang)),
             (label("timing", lang), f"{m.estimated_minutes} {label('minutes', lang)}"),
             (label("blocks", lang), ", ".join(blocks_of(m.tags)) or "-"),
             # Evidence generated per trainee has a key per variant: the handbook shows
             # one variant's (the seed's) and says so; shipped evidence has one key.
             (label("answer", lang), same if seed is None and not per_variant
              else f"{same} ({label('seed', lang)} {0 if seed is None else seed})")]
    out.append(("dl", facts))
    if m.objectives:
        out += [(h[1], label("objectives", lang)),
                ("ul", [pick_text(o, lang) for o in m.objectives])]
    out += [(h[1], label("case", lang)), ("p", pick_text(m.description, lang))]
    if m.notes:
        out += [(h[1], label("notes", lang)), ("p", pick_text(m.notes, lang))]
    out += [(h[1], label("evidence", lang)),
            ("ul", [f"{ev.name}: {description} (sha256 {ev.sha256})"
                    for ev, description in _evidence(loaded, lang)])]
    keys = resolve_keys(loaded, cache_dir=cache_dir)
    out.append((h[1], label("tasks", lang)))
    for n, task in enumerate(m.tasks, start=1):
        out += _task_blocks(loaded, task.id, keys[task.id][0], lang, f"{n}.", h[2])
    return out


def _evidence(loaded: LoadedScenario, lang: str) -> list[tuple[Any, str]]:
    """Each evidence file with its description (generated files are named by the entry)."""
    described = {}
    for index, entry in enumerate(loaded.model.evidence):
        names = [g.name for g in loaded.generated if g.index == index]
        name = names[0] if names else evidence_name(entry.file or "", entry.name)
        described[name] = pick_text(entry.description, lang) if entry.description else ""
    return [(ev, described.get(ev.name, "")) for ev in loaded.evidence]


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
