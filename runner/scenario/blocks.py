"""What the catalogue browser shows of a scenario: block tags, languages, evidence kinds."""

from __future__ import annotations

from typing import Any

from runner.scenario.loader import LoadedScenario
from runner.scenario.texts import complete_languages

# The course blocks (issue 13); a scenario names its block(s) among its tags.
BLOCKS: tuple[str, ...] = (
    "network-basics", "port-scan", "mitm", "wireless", "phishing", "credentials",
    "tunnelling-c2", "first-responder", "disk-forensics", "crypto", "darkweb", "osint",
    "mobile",
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd4\xc3\xb2\xa1", "pcap"), (b"\xa1\xb2\xc3\xd4", "pcap"), (b"\x4d\x3c\xb2\xa1", "pcap"),
    (b"\xa1\xb2\x3c\x4d", "pcap"), (b"\x0a\x0d\x0d\x0a", "pcap"), (b"EVF\x09\x0d\x0a", "e01"),
    (b"SQLite format 3", "sqlite"), (b"%PDF", "document"), (b"PK\x03\x04", "archive"),
    (b"\xff\xd8\xff", "picture"), (b"\x89PNG", "picture"),
)


def blocks_of(tags: list[str]) -> list[str]:
    return [t for t in tags if t in BLOCKS]


def evidence_kind(head: bytes, name: str) -> str:
    """The kind of one evidence file from its first bytes (its name as a last resort)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if name.lower().endswith((".eml", ".mbox")):
        return "mail"
    return "file"


def evidence_kinds(loaded: LoadedScenario) -> list[str]:
    kinds: list[str] = []
    for ev in loaded.evidence:
        try:
            with open(ev.path, "rb") as fh:
                head = fh.read(16)
        except OSError:
            head = b""
        kind = evidence_kind(head, ev.name)
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
