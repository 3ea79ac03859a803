"""What the catalogue browser shows of a scenario: block tags, languages, evidence kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runner.scenario.loader import LoadedScenario
from runner.scenario.texts import complete_languages

# The course blocks (issue 13); a scenario names its block(s) among its tags.
BLOCKS: tuple[str, ...] = (
    "network-basics", "port-scan", "mitm", "wireless", "phishing", "credentials",
    "tunnelling-c2", "first-responder", "disk-forensics", "crypto", "darkweb", "osint",
    "mobile",
)



def blocks_of(tags: list[str]) -> list[str]:
    return [t for t in tags if t in BLOCKS]


def evidence_kind(path: Path) -> str:
    """The kind of one evidence file, by content, from the evidence-kind registry.

    A file no kind recognises (a note, a wordlist) is a plain ``file``.
    """
    from runner.errors import DflabError
    from runner.evidence.kinds.registry import detect

    try:
        return detect(path).name
    except DflabError:
        return "file"


def evidence_kinds(loaded: LoadedScenario) -> list[str]:
    """The kinds of a scenario's evidence: shipped files by content, generated ones by
    the kind their generator writes (the files exist only per variant)."""
    from runner.generate.registry import registry

    kinds: list[str] = []
    for ev in loaded.evidence:
        if ev.path.is_file() or not loaded.generated:
            kind = evidence_kind(ev.path)
        else:
            continue
        if kind not in kinds:
            kinds.append(kind)
    for gen in loaded.generated:
        story = loaded.stories.get(gen.story)
        if story is None:
            continue
        kind = registry().get(story.model.outputs[gen.output]["kind"]).evidence_kind
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def catalogue_row(loaded: LoadedScenario, lang: str) -> dict[str, Any]:
    """One scenario as ``dflab list`` shows it (and ``--json`` gives it)."""
    from runner.scenario.i18n import pick_text

    m = loaded.model
    return {"id": m.id, "title": pick_text(m.title, lang), "difficulty": m.difficulty,
            "level": m.difficulty, "minutes": m.estimated_minutes, "tasks": len(m.tasks),
            "points": sum(t.points for t in m.tasks), "lab": m.lab, "tags": m.tags,
            "blocks": blocks_of(m.tags), "languages": complete_languages(loaded.source.data),
            "evidence_kinds": evidence_kinds(loaded), "path": str(loaded.path)}
