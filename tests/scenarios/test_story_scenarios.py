"""The shipped story scenarios: valid, bilingual, every variant self-tests, seats differ."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import CliRunner

from runner.scenario.loader import load_scenario, validate_scenario

ROOT = Path(__file__).resolve().parents[2]
# The story scenarios built on generated captures (the disk, mail and phone ones are
# tested in test_evidence_scenarios.py).
STORY_SCENARIOS = sorted(
    p for p in (ROOT / "scenarios").glob("*.yaml")
    if "generate:" in p.read_text(encoding="utf-8")
    and "kind: capture" in (p.parent / "stories" / p.name).read_text(encoding="utf-8"))
IDS = [p.stem for p in STORY_SCENARIOS]


def test_two_story_scenarios_ship_one_embedded_in_a_real_capture() -> None:
    assert {"office-intrusion", "phone-beacon"} <= set(IDS)  # and the course blocks' ones
    stories = [yaml.safe_load((ROOT / "scenarios" / "stories" / f"{name}.yaml").read_text())
               for name in ("office-intrusion", "phone-beacon")]
    embeds = [s["outputs"]["capture"].get("embed_into") for s in stories]
    assert embeds[0] is None and embeds[1] == "../../pcaps/ndpi_android.pcap"


@pytest.mark.parametrize("path", STORY_SCENARIOS, ids=IDS)
def test_validates_cleanly_in_english_ukrainian_and_russian(path: Path) -> None:
    loaded, problems = validate_scenario(path)
    assert loaded is not None and problems == [], [p.one_line() for p in problems]
    assert 5 <= len(loaded.model.tasks) <= 10
    for task in loaded.model.tasks:
        assert isinstance(task.question, dict) and set(task.question) == {"en", "uk", "ru"}
        assert task.hints and all(set(h.text) == {"en", "uk", "ru"} for h in task.hints
                                  if isinstance(h.text, dict))
        assert task.solution is not None
        assert task.answer["expected"].get("story"), task.id  # keys recomputed per variant


@pytest.mark.slow
@pytest.mark.parametrize("path", STORY_SCENARIOS, ids=IDS)
def test_verify_twenty_variants(path: Path, cli: CliRunner) -> None:
    result = cli("verify", str(path), "--variants", "20", "--json")
    report = json.loads(result.stdout)["scenarios"][0]
    assert result.code == 0, [v["problems"] for v in report["variants"] if not v["ok"]]
    assert len(report["variants"]) == 20 and report["failed"] == 0
    assert all(v["cross_checked"] >= 4 for v in report["variants"])  # analyzers agree
    assert len({next(iter(v["sha256"].values())) for v in report["variants"]}) == 20


@pytest.mark.parametrize("path", STORY_SCENARIOS, ids=IDS)
def test_seeds_differ_in_most_keys_and_repeat_byte_for_byte(path: Path, cli: CliRunner,
                                                            tmp_path: Path) -> None:
    sheets = []
    for seed in (1, 2, 1):
        out = tmp_path / f"s{seed}-{len(sheets)}"
        assert cli("variant", str(path), "--seed", str(seed), "--out", str(out)).code == 0
        sheets.append((out, yaml.safe_load((out / "answers.yaml").read_text())))
    (one, first), (_two, second), (again, third) = sheets
    assert first == third
    capture = next(p.name for p in one.iterdir() if p.suffix == ".pcap")
    assert (one / capture).read_bytes() == (again / capture).read_bytes()
    differ = [t for t in first if first[t] != second[t]]
    assert len(differ) >= len(first) * 0.6, (first, second)
    # one seat's right answers, graded against another seat's variant, mostly fail
    graded = json.loads(cli("grade", str(path), "--seed", "2", "--answers",
                            str(one / "answers.yaml"), "--json").stdout)
    assert graded["total"]["percent"] < 50.0


@pytest.mark.parametrize("path", STORY_SCENARIOS, ids=IDS)
def test_tshark_reads_the_variant_and_its_warnings_are_the_real_ones(
        path: Path, cli: CliRunner, tmp_path: Path) -> None:
    tshark = shutil.which("tshark")
    assert tshark, "tshark is needed (tools/system-packages.txt; make system-deps)"
    out = tmp_path / "v"
    assert cli("variant", str(path), "--seed", "7", "--out", str(out)).code == 0
    capture = next(p for p in out.iterdir() if p.suffix == ".pcap")
    flagged = subprocess.run([tshark, "-r", str(capture), "-Y", "_ws.malformed"],
                             capture_output=True, text=True, check=True).stdout
    assert flagged == ""
    loaded = load_scenario(path)
    if loaded.id == "phone-beacon":  # the real background's own notes, and no more
        real = subprocess.run([tshark, "-r", str(ROOT / "pcaps" / "ndpi_android.pcap"), "-Y",
                               "_ws.expert.severity >= warning"], capture_output=True,
                              text=True, check=True).stdout
        ours = subprocess.run([tshark, "-r", str(capture), "-Y",
                               "_ws.expert.severity >= warning"], capture_output=True,
                              text=True, check=True).stdout
        assert len(ours.splitlines()) == len(real.splitlines())


def test_sealing_a_story_scenario_says_its_keys_are_not_in_the_file(cli: CliRunner,
                                                                    tmp_path: Path) -> None:
    path = ROOT / "scenarios" / "office-intrusion.yaml"
    result = cli("seal", str(path), "--output", str(tmp_path / path.name))
    assert result.code == 0, result.stderr
    assert "sealed 0 task(s)" in result.stderr
    assert "a story value, drawn per variant" in result.stderr
    assert "stories/office-intrusion.yaml -> " in result.stderr  # the story path follows
    moved = cli("verify", str(tmp_path / path.name), "--variants", "1")
    assert moved.code == 0, moved.stdout + moved.stderr


def test_the_leaked_file_rebuilt_from_tshark_matches_the_key(cli: CliRunner,
                                                             tmp_path: Path) -> None:
    """phone-beacon's last task has no fact query: rebuild the file as a trainee would."""
    import base64
    import hashlib

    tshark = shutil.which("tshark")
    assert tshark, "tshark is needed (tools/system-packages.txt; make system-deps)"
    path = next(p for p in STORY_SCENARIOS if p.stem == "phone-beacon")
    out = tmp_path / "v"
    assert cli("variant", str(path), "--seed", "31", "--out", str(out)).code == 0
    sheet = yaml.safe_load((out / "answers.yaml").read_text())
    names = subprocess.run([tshark, "-r", str(out / "phone.pcap"), "-Y",
                            "dns.flags.response == 0 && dns.qry.type == 16", "-T", "fields",
                            "-e", "dns.qry.name"], capture_output=True, text=True,
                           check=True).stdout.split()
    domain_labels = len(sheet["tunnel-domain"].split("."))
    chunks = sorted((int(n.split(".")[0]), "".join(n.split(".")[1:-domain_labels]))
                    for n in set(names) if n.endswith("." + sheet["tunnel-domain"]))
    assert len(chunks) == sheet["tunnel-queries"]
    data = "".join(c for _, c in chunks).upper()
    rebuilt = base64.b32decode(data + "=" * (-len(data) % 8))
    assert hashlib.sha256(rebuilt).hexdigest() == sheet["leaked-file"]


@pytest.fixture
def phone_copy(tmp_path: Path) -> Path:
    """phone-beacon with its story and a copy of its real background, to break."""
    (tmp_path / "scenarios" / "stories").mkdir(parents=True)
    shutil.copytree(ROOT / "labs", tmp_path / "labs")
    (tmp_path / "pcaps").mkdir()
    shutil.copy(ROOT / "pcaps" / "ndpi_android.pcap", tmp_path / "pcaps")
    for rel in ("phone-beacon.yaml", "stories/phone-beacon.yaml"):
        shutil.copy(ROOT / "scenarios" / rel, tmp_path / "scenarios" / rel)
    return tmp_path


@pytest.mark.parametrize(("damage", "said"), [
    ("cut", "is damaged: file cut short in the middle of frame"),
    ("missing", "file not found next to the story"),
    ("event", "unknown event type 'beacons'; did you mean 'beacon'?"),
    ("variable", "'{{checkin}}' names no variable, host or event"),
])
def test_a_broken_story_is_reported_at_validate_time_with_its_line(
        phone_copy: Path, cli: CliRunner, damage: str, said: str) -> None:
    background = phone_copy / "pcaps" / "ndpi_android.pcap"
    story = phone_copy / "scenarios" / "stories" / "phone-beacon.yaml"
    if damage == "cut":
        background.write_bytes(background.read_bytes()[:5000])
    elif damage == "missing":
        background.unlink()
    else:
        old, new = {"event": ("type: beacon,", "type: beacons,"),
                    "variable": ('"{{checkins}}"', '"{{checkin}}"')}[damage]
        story.write_text(story.read_text().replace(old, new), encoding="utf-8")
    result = cli("validate", str(phone_copy / "scenarios" / "phone-beacon.yaml"))
    assert result.code == 3
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("error:")]
    assert "stories/phone-beacon.yaml:" in line and said in line and "fix:" in line
