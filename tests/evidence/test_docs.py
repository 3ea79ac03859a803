"""docs/facts.md documents every table and field the analyzers produce."""

from __future__ import annotations

from pathlib import Path

from runner.evidence.analyzers.registry import all_tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "facts.md"


def test_every_table_and_field_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for table, fields in all_tables().items():
        start = text.find(f"**`{table}`**")
        if start < 0:
            missing.append(table)
            continue
        section = text[start : text.find("\n\n", text.find("|", start))]
        missing += [f"{table}.{f.name}" for f in fields if f"| `{f.name}` |" not in section]
    assert missing == []
