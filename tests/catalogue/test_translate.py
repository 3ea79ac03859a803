"""The PO translation workflow: export, edit, import back changing only the texts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from helpers import ROOT

from runner.scenario.texts import text_fields
from runner.scenario.translate import translation_problems
from runner.scenario.yamlsrc import load_source


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A copy of a shipped scenario next to the pcaps it names (../pcaps)."""
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "pcaps").symlink_to(ROOT / "pcaps")
    path = tmp_path / "scenarios" / "traceroute-path.yaml"
    shutil.copy(ROOT / "scenarios" / "traceroute-path.yaml", path)
    return path


def _msgfmt_check(po: Path) -> None:
    assert shutil.which("msgfmt"), "msgfmt (Debian: gettext) is needed as the reference"
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_export_is_valid_gettext_with_context_and_existing_translations(cli, scenario, tmp_path):
    po_path = tmp_path / "t.uk.po"
    assert cli("translate", "export", str(scenario), "--lang", "uk",
               "--output", str(po_path)).code == 0
    _msgfmt_check(po_path)
    po = polib.pofile(str(po_path))
    assert po.metadata["Language"] == "uk"
    fields = dict(text_fields(load_source(scenario).data))
    assert len(po) == len(fields)
    title = po.find("Which way did the traffic go? A traceroute in a capture", msgctxt="title")
    assert title is not None and title.msgstr.startswith("Яким шляхом")


def test_import_changes_only_the_texts_and_keeps_comments(cli, scenario, tmp_path):
    before = scenario.read_text()
    po_path = tmp_path / "t.kk.po"
    cli("translate", "export", str(scenario), "--lang", "kk", "--output", str(po_path))
    po = polib.pofile(str(po_path))
    po.find("title", by="msgctxt").msgstr = "Трафик қай жолмен жүрді?"
    po.find("tasks.0.question", by="msgctxt").msgstr = "Трассировка \"қай\" мекенжайға?"
    fuzzy = po.find("tasks.1.question", by="msgctxt")
    fuzzy.msgstr, fuzzy.flags = "бірдеңе", ["fuzzy"]
    po.save(str(po_path))
    _msgfmt_check(po_path)
    result = cli("translate", "import", str(po_path), "--scenario", str(scenario), "--json")
    assert result.code == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["merged"] == ["title", "tasks.0.question"]
    assert {"context": "tasks.1.question", "why": "fuzzy"} in report["skipped"]
    assert any(s["why"] == "empty" for s in report["skipped"])
    after = scenario.read_text()
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ['  kk: "Трафик қай жолмен жүрді?"',
                     '      kk: "Трассировка \\"қай\\" мекенжайға?"']
    assert [c for c in before.splitlines() if c.lstrip().startswith("#")] == \
        [c for c in after.splitlines() if c.lstrip().startswith("#")]
    assert cli("verify", str(scenario)).code == 0
    # A second import of the same file changes nothing.
    cli("translate", "import", str(po_path), "--scenario", str(scenario))
    assert scenario.read_text() == after


def test_import_skips_entries_whose_english_changed(cli, scenario, tmp_path):
    po_path = tmp_path / "t.kk.po"
    cli("translate", "export", str(scenario), "--lang", "kk", "--output", str(po_path))
    po = polib.pofile(str(po_path))
    po.find("title", by="msgctxt").msgstr = "Трафик"
    po.save(str(po_path))
    scenario.write_text(scenario.read_text().replace("Which way did", "Which path did"))
    result = cli("translate", "import", str(po_path), "--scenario", str(scenario))
    assert "title: the English text changed since the export" in result.stderr
    assert "kk:" not in scenario.read_text()


def test_plain_string_and_flow_mapping_fields(cli, build, tmp_path):
    path = build.scenario()
    text = path.read_text()
    po_path = tmp_path / "b.po"
    cli("translate", "export", str(path), "--lang", "ru", "--output", str(po_path))
    po = polib.pofile(str(po_path))
    for entry in po:
        entry.msgstr = "перевод: " + entry.msgid
    po.save(str(po_path))
    assert cli("translate", "import", str(po_path), "--scenario", str(path)).code == 0
    data = load_source(path).data
    assert all(isinstance(v, dict) and v["ru"].startswith("перевод")
               for _, v in text_fields(data))
    assert cli("validate", str(path)).code == 0 and path.read_text() != text


def test_validate_reports_missing_and_stale_translations(cli, scenario):
    assert cli("translate", "mark", str(scenario), "--lang", "uk").code == 0
    source = load_source(scenario)
    assert translation_problems(source, scenario) == []
    scenario.write_text(scenario.read_text().replace(
        'en: "To which address was the traceroute run?"',
        'en: "To which address did the traceroute go?"').replace(
        '      uk: "Застосуйте фільтр icmp.type == 8',
        '      xx: "Застосуйте фільтр icmp.type == 8'))
    result = cli("validate", str(scenario))
    assert result.code == 0
    assert "tasks[0].question: 'uk' translation is stale" in result.stdout
    assert "tasks[0].hints[0].text: no 'uk' translation" in result.stdout


def test_shipped_scenarios_have_no_missing_or_stale_translation():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        problems = translation_problems(load_source(path), path)
        assert problems == [], problems[0].one_line()
        assert (path.with_name(path.stem + ".l10n.json")).is_file()


def test_a_course_file_exports_and_imports_too(cli, tmp_path):
    course = tmp_path / "courses" / "c.yaml"
    course.parent.mkdir()
    course.write_text("schema_version: 1\nid: c\ntitle: {en: A course, uk: Курс}\ndays:\n"
                      "  - title: Day one  # first day\n    objectives: [Read a capture]\n"
                      "    scenarios:\n      - scenario: traceroute-path\n", encoding="utf-8")
    po_path = tmp_path / "c.ru.po"
    assert cli("translate", "export", str(course), "--lang", "ru",
               "--output", str(po_path)).code == 0
    po = polib.pofile(str(po_path))
    assert [e.msgctxt for e in po] == ["title", "days.0.title", "days.0.objectives.0"]
    for entry, text in zip(po, ("Курс", "День первый", "Читать запись трафика"), strict=True):
        entry.msgstr = text
    po.save(str(po_path))
    _msgfmt_check(po_path)
    assert cli("translate", "import", str(po_path), "--scenario", str(course)).code == 0
    text = course.read_text(encoding="utf-8")
    assert "# first day" in text and "День первый" in text
    assert cli("course", "show", str(course), "--lang", "ru", "--json").code == 0
