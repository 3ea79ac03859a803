"""One variant of a story: its files written to a folder, their hashes and the story values.

Outputs are generated in the order the story lists them, each into a temporary name
renamed into place when complete, so a crash never leaves a half-written file that a
later run could mistake for evidence.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.evidence.manifest import sha256_file
from runner.generate.registry import registry
from runner.generate.story import LoadedStory, context, draw


@dataclass(frozen=True)
class Variant:
    """A generated variant: where its files are, their SHA-256 and every story value."""

    story_id: str
    seed: int
    files: dict[str, Path]
    sha256: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)


# Beside the evidence, never mounted (a lab gets the evidence files one by one).
CARRIED_DIR = "carried"


def generate_variant(story: LoadedStory, seed: int, out_dir: Path,
                     outputs: Iterable[str] | None = None,
                     names: dict[str, str] | None = None) -> Variant:
    """Generate ``outputs`` (default: all) of ``story`` for ``seed`` into ``out_dir``.

    ``names`` maps an output to its file name (default: OUTPUT plus the generator's
    suffix). Values of outputs not generated are still drawn, so keys that name them
    resolve the same whichever files a lab needs.
    """
    wanted = list(story.model.outputs) if outputs is None else list(outputs)
    unknown = [o for o in wanted if o not in story.model.outputs]
    if unknown:
        raise InputError(f"story '{story.id}' has no output '{unknown[0]}'",
                         fix=f"use one of: {', '.join(story.model.outputs)}")
    drawn = draw(story, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    hashes: dict[str, str] = {}
    made: dict[str, Path] = {}
    # Outputs the lab does not show are still made (their values are keys, and a later
    # output may be read from one: the seized medium an E01 is acquired from), in a
    # private folder removed at the end.
    with tempfile.TemporaryDirectory(prefix="dflab-unshown-") as unshown:
        for name in story.model.outputs:
            generator = registry().get(story.model.outputs[name]["kind"])
            target = out_dir / (names or {}).get(name, f"{name}{generator.suffix}")
            if name not in wanted:
                target = Path(unshown) / f"{name}{generator.suffix}"
            partial = target.with_name(f".{target.name}.partial")
            produced = generator.generate(
                drawn.params[name],
                context(story, seed, name, drawn, made, out_dir / CARRIED_DIR), partial)
            _merge(drawn.values, produced, name)
            partial.replace(target)
            made[name] = target
            if name in wanted:
                files[name] = target
                hashes[name] = sha256_file(target)
    return Variant(story.id, seed, files, hashes, drawn.values)


def _merge(values: dict[str, Any], produced: dict[str, Any], output: str) -> None:
    for key, value in produced.items():
        if key in values:
            raise InputError(f"output '{output}' produces '{key}', which is already a story "
                             "value", fix="give the event an id no variable or host uses")
        values[key] = value
