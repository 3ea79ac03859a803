"""Generated evidence entries of a scenario: their stories, loaded and probed at load time.

An evidence entry with ``generate:`` names a story file (relative to the scenario) or
holds an inline story. The story is validated by the same strict loader as a story
file, with a probe variant drawn, so its problems carry file:line at ``dflab validate``
time. Several entries may share one story file (one entry per output).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import InputError
from runner.generate.registry import registry
from runner.generate.story import LoadedStory, check_story, load_story
from runner.scenario.model import Evidence, Scenario
from runner.scenario.problems import Collector, ScenarioError
from runner.scenario.yamlsrc import Source


@dataclass(frozen=True)
class GenEvidence:
    """One generated evidence file: its name in the lab and the story output it is."""

    index: int
    name: str
    story: str  # key into LoadedScenario.stories
    output: str
    seed: str  # 'seat' or 'fixed'


@dataclass(frozen=True)
class StoryRun:
    """One story as generated for a variant: its id, seed and the files it wrote."""

    story_id: str
    seed: int
    sha256: dict[str, str]  # evidence name -> SHA-256


@dataclass(frozen=True)
class VariantInfo:
    """What a scenario made for one variant knows about it (host side only)."""

    seed: int  # the session's or seat's variant seed
    folder: Path
    values: dict[str, Any] = field(default_factory=dict)  # every story's values, merged
    runs: dict[str, StoryRun] = field(default_factory=dict)  # by story key (and seed mode)

    def provenance(self) -> dict[str, Any]:
        """Story ids, seeds and variant hashes, as stored beside each key."""
        return {"variant_seed": self.seed,
                "stories": [{"story": r.story_id, "seed": r.seed, "sha256": r.sha256}
                            for r in self.runs.values()]}


def check_generated(model: Scenario, path: Path, source: Source, out: Collector
                    ) -> tuple[list[GenEvidence], dict[str, LoadedStory]]:
    """Load every story the scenario's evidence names; problems go to ``out``."""
    entries: list[GenEvidence] = []
    stories: dict[str, LoadedStory] = {}
    failed: set[str] = set()  # a broken story file shared by entries is reported once
    for index, ev in enumerate(model.evidence):
        if ev.generate is None:
            continue
        at = ("evidence", index, "generate")
        key, story = _story_of(ev, index, path, source, out, stories, failed)
        if story is None:
            failed.add(key)
            continue
        stories[key] = story
        outputs = list(story.model.outputs)
        output = ev.output
        if output is None:
            if len(outputs) > 1:
                out.add(at, f"story '{story.id}' has {len(outputs)} outputs "
                        f"({', '.join(outputs)})", "add 'output:' naming the one this file is")
                continue
            output = outputs[0]
        elif output not in outputs:
            out.add(("evidence", index, "output"), f"story '{story.id}' has no output "
                    f"'{output}'", f"use one of: {', '.join(outputs)}")
            continue
        kind = str(story.model.outputs[output].get("kind"))
        suffix = registry().get(kind).suffix if kind in registry() else ".bin"
        entries.append(GenEvidence(index, ev.name or f"{output}{suffix}", key, output, ev.seed))
    return entries, stories


def _story_of(ev: Evidence, index: int, path: Path, source: Source, out: Collector,
              known: dict[str, LoadedStory], failed: set[str]
              ) -> tuple[str, LoadedStory | None]:
    at = ("evidence", index, "generate")
    if isinstance(ev.generate, str):
        file = (path.parent / ev.generate).resolve()
        key = str(file)
        if key in known or key in failed:
            return key, known.get(key)
        if not file.is_file():
            out.add(at, f"story file not found: {ev.generate}",
                    "check the path; it is relative to the scenario file")
            return key, None
        try:
            return key, load_story(file)
        except ScenarioError as exc:
            out.items.extend(exc.problems)
        except InputError as exc:
            out.add(at, f"story {ev.generate}: {exc.one_line()}", "fix the story file")
        return key, None
    key = f"{path.resolve()}#evidence[{index}]"
    return key, check_story(ev.generate, out, at, path.parent, source, path)
