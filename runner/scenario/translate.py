"""The translation workflow: gettext PO export and import, and stale-text tracking.

``dflab translate export`` writes one PO entry per text field: the English text
as msgid, the field path (``tasks.2.question``) as msgctxt, the existing
translation as msgstr. ``dflab translate import`` merges the filled entries back
(:mod:`runner.scenario.textedit`), skipping fuzzy and empty ones and those whose
English changed since the export. A sidecar ``<scenario>.l10n.json`` keeps, per
language and field, a short hash of the English each translation was made from,
so ``dflab validate`` can say which translations are stale.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polib

from runner import __version__
from runner.errors import InputError, show_path
from runner.scenario.problems import Collector, Problem
from runner.scenario.textedit import apply_translations
from runner.scenario.texts import (
    SOURCE_LANG,
    languages_of,
    parse_path_key,
    path_key,
    source_hash,
    text_fields,
    text_in,
)
from runner.scenario.yamlsrc import PathKey, Source, load_source


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.stem + ".l10n.json")


def read_sidecar(path: Path) -> dict[str, dict[str, str]]:
    """Per language, field path -> hash of the English the translation was made from."""
    file = sidecar_of(path)
    if not file.is_file():
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {show_path(file)}: {exc}", where=str(file),
                         fix="delete it and run 'dflab translate mark' again") from exc
    return {str(k): dict(v) for k, v in data.get("sources", {}).items()}


def write_sidecar(path: Path, hashes: dict[str, dict[str, str]]) -> None:
    body = {"about": "hash of the English text each translation was made from "
            "(dflab translate; docs/courses.md)",
            "sources": {lang: dict(sorted(v.items())) for lang, v in sorted(hashes.items())}}
    sidecar_of(path).write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")


def export_po(path: Path, lang: str) -> polib.POFile:
    """A PO catalogue of the scenario's texts for translating into ``lang``."""
    source = load_source(path)
    data = source.data if isinstance(source.data, dict) else {}
    po = polib.POFile(wrapwidth=78)
    po.metadata = {
        "Project-Id-Version": f"{data.get('id', path.stem)}",
        "Language": lang, "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"dflab {__version__}", "X-Dflab-Scenario": str(data.get("id", "")),
        "POT-Creation-Date": time.strftime("%Y-%m-%d %H:%M%z"),
        "PO-Revision-Date": time.strftime("%Y-%m-%d %H:%M%z"),
        "Last-Translator": "", "Language-Team": lang,
    }
    for at, value in text_fields(data):
        english = text_in(value, SOURCE_LANG)
        if english is None:
            continue
        po.append(polib.POEntry(msgctxt=path_key(at), msgid=english,
                                msgstr=text_in(value, lang) or "",
                                occurrences=[(path.name, str(source.line_of(at)))]))
    return po


@dataclass
class ImportReport:
    lang: str
    merged: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (context, why)


def import_po(po_file: Path, scenario: Path) -> ImportReport:
    """Merge a PO file's translations into ``scenario`` (its file rewritten in place)."""
    try:
        po = polib.pofile(str(po_file), wrapwidth=78)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {show_path(po_file)} as a PO file: {exc}",
                         where=str(po_file), fix="check it with 'msgfmt --check FILE'") from exc
    lang = po.metadata.get("Language", "").strip()
    if not lang or lang == SOURCE_LANG:
        raise InputError(f"{show_path(po_file)} names no target language",
                         where=f"{po_file}:1", fix="set the header 'Language: CODE'")
    source = load_source(scenario)
    fields = dict(text_fields(source.data))
    report, changes = ImportReport(lang), []
    hashes = read_sidecar(scenario)
    for entry in po:
        at = _entry_path(entry, fields, report)
        if at is None:
            continue
        value = fields[at]
        current = text_in(value, lang)
        if entry.msgstr == current:
            report.unchanged.append(entry.msgctxt)
        else:
            changes.append((at, lang, entry.msgstr))
            report.merged.append(entry.msgctxt)
        hashes.setdefault(lang, {})[entry.msgctxt] = source_hash(entry.msgid)
    if changes:
        scenario.write_text(apply_translations(source, changes), encoding="utf-8")
    if report.merged or report.unchanged:
        write_sidecar(scenario, hashes)
    return report


def _entry_path(entry: Any, fields: dict[PathKey, Any], report: ImportReport) -> PathKey | None:
    """The field an entry translates, or None (and why, in the report) to skip it."""
    ctx = entry.msgctxt or ""
    if entry.obsolete:
        return None
    if "fuzzy" in entry.flags:
        report.skipped.append((ctx, "fuzzy"))
        return None
    if not entry.msgstr.strip():
        report.skipped.append((ctx, "empty"))
        return None
    at = parse_path_key(ctx) if ctx else ()
    if at not in fields:
        report.skipped.append((ctx, "no such text in the scenario"))
        return None
    if text_in(fields[at], SOURCE_LANG) != entry.msgid:
        report.skipped.append((ctx, "the English text changed since the export"))
        return None
    return at


def mark_translations(scenario: Path, langs: list[str]) -> int:
    """Record the current English as the source of every present translation in ``langs``."""
    source = load_source(scenario)
    hashes = read_sidecar(scenario)
    n = 0
    for at, value in text_fields(source.data):
        english = text_in(value, SOURCE_LANG)
        for lang in langs:
            if english is not None and text_in(value, lang) is not None:
                hashes.setdefault(lang, {})[path_key(at)] = source_hash(english)
                n += 1
    write_sidecar(scenario, hashes)
    return n


def translation_problems(source: Source, path: Path) -> list[Problem]:
    """Warnings for each language: texts missing, and texts stale since their translation."""
    out = Collector(source, path)
    counts = languages_of(source.data)
    langs = [c for c in counts if c != SOURCE_LANG]
    hashes = read_sidecar(path)
    for lang in sorted(set(langs) | set(hashes)):
        for at, value in text_fields(source.data):
            english = text_in(value, SOURCE_LANG)
            if english is None:
                continue
            if text_in(value, lang) is None:
                out.warn(at, f"no '{lang}' translation",
                         f"add '{lang}:' here, or 'dflab translate export ... --lang {lang}'")
                continue
            made_from = hashes.get(lang, {}).get(path_key(at))
            if made_from is not None and made_from != source_hash(english):
                out.warn(at, f"'{lang}' translation is stale: the English changed since",
                         f"update it, then 'dflab translate mark {path.name} --lang {lang}'")
    return out.items
