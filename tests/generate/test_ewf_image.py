"""The evidence-handling generators checked with the reference tools: ewfinfo shows the
story's case details and acquisition time, ewfverify succeeds with the media hashes the
log records, cmp finds the doctored copy's change where the values say, and the same
seed gives the same bytes although ewfacquire stamps its own clock."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runner.errors import InputError
from runner.generate.ewfclock import pin_acquisition_time
from runner.generate.story import load_story
from runner.generate.variant import Variant, generate_variant
from runner.scenario.problems import ScenarioError

STORY = """\
schema_version: 1
id: ewf-test
variables:
  examiner: {choice: [Olena Kovalenko, Mykola Shevchuk]}
  amount: {range: [10000, 49999]}
  forged: {range: [50000, 99999]}
  which: {choice: [A, B]}
outputs:
  stick:
    kind: usb-image
    label: SEIZED
    size_mb: 40
    filler: 3
    files: [{path: /Docs/invoice.txt, content: "Total: {{amount}} UAH\\n"}]
  image:
    kind: ewf-image
    source: stick
    case_number: "12024-0042"
    evidence_number: "EV-7"
    examiner: "{{examiner}}"
    description: USB stick
    notes: "seal 123456"
    acquired: "2024-03-14T15:41:07Z"
  log: {kind: acquisition-log, source: image, seconds: 65}
  copy_a: {kind: working-copy, source: stick, label: A, altered_copy: "{{which}}",
           find: "Total: {{amount}} UAH", replace: "Total: {{forged}} UAH"}
  copy_b: {kind: working-copy, source: stick, label: B, altered_copy: "{{which}}",
           find: "Total: {{amount}} UAH", replace: "Total: {{forged}} UAH"}
"""


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"reference tool '{name}' is missing: see tools/system-packages.txt"
    return path


def run(*argv: str) -> str:
    done = subprocess.run([tool(argv[0]), *argv[1:]], capture_output=True, text=True,
                          check=False, env={**os.environ, "TZ": "UTC"})
    return done.stdout + done.stderr


def make(tmp_path: Path, seed: int, folder: str, text: str = STORY) -> Variant:
    path = tmp_path / f"{folder}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return generate_variant(load_story(path), seed, tmp_path / folder,
                            outputs=["image", "log", "copy_a", "copy_b"])


def test_ewfinfo_and_ewfverify_agree_with_the_values_and_the_log(tmp_path: Path) -> None:
    variant = make(tmp_path, 4, "v")
    image, e01 = variant.values["image"], variant.files["image"]
    info = run("ewfinfo", str(e01))
    for line in ("Case number:\t\t12024-0042", f"Examiner name:\t\t{image['examiner']}",
                 "Evidence number:\tEV-7", "Notes:\t\t\tseal 123456",
                 "Acquisition date:\tThu Mar 14 15:41:07 2024",
                 "System date:\t\tThu Mar 14 15:41:07 2024", f"MD5:\t\t\t{image['md5']}",
                 f"SHA1:\t\t\t{image['sha1']}", "Media size:\t\t40 MiB (41943040 bytes)"):
        assert line in info, line
    verify = run("ewfverify", "-d", "sha256", str(e01))
    assert "ewfverify: SUCCESS" in verify
    assert f"MD5 hash calculated over data:\t\t{image['md5']}" in verify
    assert f"SHA256 hash calculated over data:\t{image['sha256']}" in verify
    log = variant.files["log"].read_text(encoding="utf-8")
    assert f"MD5 hash calculated over data:\t\t{image['md5']}" in log
    assert f"{image['sha256']}  /dev/sdb" in log
    assert "Acquiry completed at: Mar 14, 2024 15:42:12" in log  # 65 s after the start
    good = variant.files["copy_b" if variant.values["which"] == "A" else "copy_a"]
    assert hashlib.md5(good.read_bytes()).hexdigest() == image["md5"]


def test_cmp_finds_the_change_where_the_values_say(tmp_path: Path) -> None:
    variant = make(tmp_path, 5, "v")
    tamper, values = variant.values["tamper"], variant.values
    altered, good = (("copy_a", "copy_b") if values["which"] == "A" else ("copy_b", "copy_a"))
    assert values[altered]["altered"] and not values[good]["altered"]
    assert values[good]["sha256"] == values["image"]["sha256"] != tamper["sha256"]
    out = run("cmp", str(variant.files[good]), str(variant.files[altered]))
    assert f"differ: byte {tamper['cmp_byte']}," in out
    changed = run("cmp", "-l", str(variant.files[good]),
                  str(variant.files[altered])).split("\n")
    assert len([c for c in changed if c.strip()]) == tamper["changed_bytes"]
    found = run("ifind", "-d", str(tamper["sector"]), str(variant.files["image"])).strip()
    assert run("ffind", str(variant.files["image"]), found).strip() == "/Docs/invoice.txt"


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(tmp_path: Path) -> None:
    first, again = make(tmp_path, 7, "a"), make(tmp_path, 7, "b")
    assert first.sha256 == again.sha256
    other = make(tmp_path, 8, "c")
    assert other.sha256["image"] != first.sha256["image"]


def test_pinning_the_clock_makes_two_runs_of_ewfacquire_identical(tmp_path: Path) -> None:
    media = tmp_path / "media.raw"
    # whole sectors: ewfacquire's own image of a ragged tail fails ewfverify
    media.write_bytes(b"".join(b"sector %05d " % i for i in range(40_960)))
    made = []
    for name in ("one", "two"):
        subprocess.run([tool("ewfacquire"), "-u", "-q", "-t", str(tmp_path / name), "-c",
                        "deflate:fast", "-C", "c", "-E", "e", "-e", "x", "-D", "d", "-N", "n",
                        str(media)], check=True, capture_output=True)
        e01 = tmp_path / f"{name}.E01"
        pin_acquisition_time(e01, datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC))
        made.append(e01.read_bytes())
        if name == "one":
            subprocess.run(["sleep", "1.1"], check=True)  # the tool's clock moves on
    assert made[0] == made[1]
    shown = run("ewfinfo", str(tmp_path / "two.E01"))
    assert "Acquisition date:\tMon Jan  2 03:04:05 2023" in shown
    assert "ewfverify: SUCCESS" in run("ewfverify", str(tmp_path / "two.E01"))


@pytest.mark.parametrize(("change", "message"), [
    (("source: stick\n    case_number", "source: log\n    case_number"),
     "'source: log' is not an output listed before it"),
    (("{kind: acquisition-log, source: image", "{kind: acquisition-log, source: stick"),
     "'source: stick' is not an output listed before it of kind ewf-image"),
    (('replace: "Total: {{forged}} UAH"}\n  copy_b', 'replace: "Total: 1 UAH"}\n  copy_b'),
     "same length"),
])
def test_story_problems_are_reported_with_their_line(tmp_path: Path, change: tuple[str, str],
                                                     message: str) -> None:
    text = STORY.replace(*change)
    assert text != STORY
    path = tmp_path / "story.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_story(path)
    assert any(message in p.one_line() and p.line for p in info.value.problems), \
        [p.one_line() for p in info.value.problems]


def test_a_text_to_alter_that_is_not_on_the_medium_is_an_input_error(tmp_path: Path) -> None:
    text = STORY.replace('find: "Total: {{amount}} UAH", replace',
                         'find: "Tutal: {{amount}} UAH", replace')
    with pytest.raises(InputError, match="occurs nowhere in 'stick'"):
        make(tmp_path, 1, "v", text.replace("which: {choice: [A, B]}", "which: {value: A}"))
