"""A scenario made for one variant: its stories generated, its task text and keys filled in.

:func:`materialize` turns a loaded scenario with ``generate:`` evidence into the
scenario one trainee (or seat) sees: the generated files join the evidence manifest
with their SHA-256, ``{{story.values}}`` in questions, hints, explanations, solutions
and fact queries are filled in, and ``{story: NAME}`` keys can be resolved. The files
go into a folder under the dflab home (never the scenario's folder), with
``variant.json`` beside them: the seed, each story's seed and hashes, and the values
(host side only; only the evidence files are mounted into the lab).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from runner import __version__
from runner.errors import InputError
from runner.evidence.manifest import EvidenceFile
from runner.generate.seeds import derive_seed
from runner.generate.variables import render_any
from runner.generate.variant import CARRIED_DIR, generate_variant
from runner.scenario.compile import compile_answer
from runner.scenario.loader import LoadedScenario
from runner.scenario.model import FileRef, Task
from runner.scenario.problems import Collector, ScenarioError
from runner.scenario.stories import GenEvidence, StoryRun, VariantInfo

VARIANT_FILE = "variant.json"
SEED_BITS = 31  # seeds shown to trainers fit every tool's integer


def story_seed(mode: str, seed: int, story_id: str) -> int:
    """The seed one story is drawn with: per seat from the variant seed, or fixed."""
    if mode == "fixed":
        return derive_seed("fixed", story_id)
    return derive_seed(seed, "seat", story_id)


def materialize(loaded: LoadedScenario, seed: int, folder: Path) -> LoadedScenario:
    """The scenario as variant ``seed`` of it: files generated into ``folder`` (reused when
    ``folder`` already holds this very variant), text and keys filled in."""
    if not loaded.generated:
        return loaded
    loaded = loaded.template or loaded  # a variant of a variant starts from the scenario
    fingerprint = _fingerprint(loaded, seed)
    info = _reuse(folder, fingerprint, seed) or _generate(loaded, seed, folder, fingerprint)
    evidence = list(loaded.evidence)
    by_name = {name: sha for run in info.runs.values() for name, sha in run.sha256.items()}
    for entry in loaded.generated:
        evidence.append(EvidenceFile(entry.name, folder / entry.name, by_name[entry.name]))
    made = dataclasses.replace(loaded, evidence=evidence, variant=info, template=loaded)
    return _carried_solutions(render_scenario(made, info.values), folder)


def _carried_solutions(loaded: LoadedScenario, folder: Path) -> LoadedScenario:
    """A solution naming a file the story carried (``{file: "{{x.path}}"}``, which renders
    to ``carried/NAME``) is that file in this variant's folder."""
    tasks = [task.model_copy(update={"solution": FileRef(file=str(folder / task.solution.file))})
             if isinstance(task.solution, FileRef)
             and task.solution.file.startswith(f"{CARRIED_DIR}/") else task
             for task in loaded.model.tasks]
    return dataclasses.replace(loaded, model=loaded.model.model_copy(update={"tasks": tasks}))


def render_scenario(loaded: LoadedScenario, values: dict[str, Any]) -> LoadedScenario:
    """Fill ``{{values}}`` into every task (text, hints, solution, answer spec) and compile
    the answers again; an unknown name is an error naming the task's line."""
    tasks: list[Task] = []
    out = Collector(loaded.source, loaded.path)
    answers = dict(loaded.answers)
    for index, task in enumerate(loaded.model.tasks):
        data = _render_task(task, values, out, index)
        if data is None:
            continue
        tasks.append(Task.model_validate(data))
        compiled = compile_answer(data["answer"], out, ("tasks", index, "answer"))
        if compiled is not None:
            answers[task.id] = compiled
    if out.errors:
        raise ScenarioError(out.errors)
    model = loaded.model.model_copy(update={"tasks": tasks})
    return dataclasses.replace(loaded, model=model, answers=answers)


def _render_task(task: Task, values: dict[str, Any], out: Collector, index: int
                 ) -> dict[str, Any] | None:
    data: dict[str, Any] = {}
    for field_name, value in task.model_dump(exclude_none=True).items():
        try:
            data[field_name] = render_any(value, values)
        except InputError as exc:  # reported at the field's line
            out.add(("tasks", index, field_name), exc.message, exc.fix or "")
            return None
    return data


def _groups(loaded: LoadedScenario) -> dict[tuple[str, str], list[GenEvidence]]:
    groups: dict[tuple[str, str], list[GenEvidence]] = {}
    for entry in loaded.generated:
        groups.setdefault((entry.story, entry.seed), []).append(entry)
    return groups


def _generate(loaded: LoadedScenario, seed: int, folder: Path, fingerprint: str
              ) -> VariantInfo:
    folder.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {}
    runs: dict[str, StoryRun] = {}
    for (key, mode), entries in _groups(loaded).items():
        story = loaded.stories[key]
        names = {e.output: e.name for e in entries}
        run_seed = story_seed(mode, seed, story.id)
        made = generate_variant(story, run_seed, folder, list(names), names)
        values.update(made.values)
        runs[f"{story.id}:{mode}"] = StoryRun(
            story.id, run_seed, {names[o]: sha for o, sha in made.sha256.items()})
    info = VariantInfo(seed, folder, values, runs)
    record = {"fingerprint": fingerprint, "seed": seed, "dflab_version": __version__,
              "runs": {k: dataclasses.asdict(r) for k, r in runs.items()}, "values": values}
    partial = folder / f".{VARIANT_FILE}.partial"
    partial.write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
    os.chmod(partial, 0o600)
    partial.replace(folder / VARIANT_FILE)
    return info


def is_current(loaded: LoadedScenario, seed: int, folder: Path) -> bool:
    """Whether ``folder`` holds variant ``seed`` of this very scenario and its stories
    (made ahead, e.g. at ``class create``); its files' hashes are checked at the start."""
    loaded = loaded.template or loaded
    return _reuse(folder, _fingerprint(loaded, seed), seed) is not None


def _reuse(folder: Path, fingerprint: str, seed: int) -> VariantInfo | None:
    """The variant already in ``folder`` when it was made from the same scenario, stories
    and seed (its files are then checked against the recorded hashes like shipped ones)."""
    try:
        record = json.loads((folder / VARIANT_FILE).read_text(encoding="utf-8"))
        if record.get("fingerprint") != fingerprint or record.get("seed") != seed:
            return None
        runs = {k: StoryRun(**r) for k, r in record["runs"].items()}
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not all((folder / name).is_file() for r in runs.values() for name in r.sha256):
        return None
    return VariantInfo(seed, folder, record.get("values") or {}, runs)


def _fingerprint(loaded: LoadedScenario, seed: int) -> str:
    digest = hashlib.sha256(f"{loaded.sha256}:{seed}:{__version__}".encode())
    for key, story in sorted(loaded.stories.items()):
        digest.update(key.encode())
        digest.update((story.source.text if story.source else "").encode())
    return digest.hexdigest()


def variant_seed(value: int | str) -> int:
    """A seed given on the command line (an integer, as the gradebook lists it)."""
    try:
        seed = int(value)
    except (TypeError, ValueError):
        raise InputError(f"seed {value!r} is not a whole number", where="--seed",
                         fix="give the seat's variant seed as the gradebook lists it") from None
    if seed < 0:
        raise InputError(f"seed {seed} is negative", where="--seed", fix="give 0 or more")
    return seed
