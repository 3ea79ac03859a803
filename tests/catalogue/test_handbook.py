"""dflab handbook: md and html, every task with its graded key; the HTML in real chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from runner.scenario.catalogue import resolve_ref
from runner.scenario.loader import load_scenario
from runner.session.keys import resolve_keys


def test_markdown_has_every_task_with_the_key_dflab_grades_by(cli):
    result = cli("handbook", "traceroute-path", "--format", "md")
    assert result.code == 0, result.stderr
    loaded = load_scenario(resolve_ref("traceroute-path"))
    keys = resolve_keys(loaded)
    for task in loaded.model.tasks:
        assert f"Task {loaded.model.tasks.index(task) + 1}. {task.id}" in result.stdout
        assert " | ".join(str(v) for v in keys[task.id][0].values) in result.stdout
    assert "## Learning objectives" in result.stdout or "## The case" in result.stdout
    assert "**Method**" in result.stdout and "**Hints**" in result.stdout


def test_notes_and_objectives_are_for_the_handbook(cli, build):
    path = build.scenario(objectives=["Read a capture"], notes="Stop after ten minutes.")
    out = cli("handbook", str(path)).stdout
    assert "- Read a capture" in out and "Stop after ten minutes." in out


def test_html_renders_in_headless_chromium(cli, tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "chromium (Debian: chromium) is needed to check the handbook's HTML"
    page = tmp_path / "handbook.html"
    made = cli("handbook", "network-investigation", "--format", "html", "--lang", "uk",
               "--output", str(page))
    assert made.code == 0, made.stderr
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Посібник викладача" in dom.stdout and "<dl>" in dom.stdout
    assert dom.stdout.count("<h5>") >= 20  # every task of the four scenarios
    shot = tmp_path / "handbook.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1000,1400",
                    page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:4] == b"\x89PNG"


def test_unknown_handbook_ref_or_language(cli):
    missing = cli("handbook", "nosuch")
    assert missing.code == 4 and "no scenario or course 'nosuch'" in missing.stderr
    assert cli("handbook", "traceroute-path", "--lang", "zz").code == 2


def test_handbook_goes_to_a_file(cli, tmp_path: Path):
    out = tmp_path / "h.md"
    assert cli("handbook", "port-scan-triage", "--output", str(out)).code == 0
    assert out.read_text(encoding="utf-8").startswith("**Trainer's handbook**")


def test_a_generated_scenario_shows_the_keys_of_the_seeds_variant(cli, tmp_path):
    # Evidence generated per trainee: the handbook gives one variant's keys, says which,
    # and they are the keys 'dflab variant' writes for that seed.
    import yaml

    pages = {seed: cli("handbook", "office-intrusion", "--format", "md", "--seed", seed)
             for seed in ("1", "2")}
    assert all(p.code == 0 for p in pages.values()), pages["1"].stderr
    assert "variant (seed 1)" in pages["1"].stdout
    made = cli("variant", "office-intrusion", "--seed", "1", "--out", str(tmp_path / "v"))
    assert made.code == 0, made.stderr
    sheet = yaml.safe_load((tmp_path / "v" / "answers.yaml").read_text(encoding="utf-8"))
    answers = sheet.get("answers", sheet)
    typed = [str(v) for v in answers.values() if isinstance(v, str | int)]
    assert typed and all(v in pages["1"].stdout for v in typed[:3])
    assert pages["1"].stdout != pages["2"].stdout
