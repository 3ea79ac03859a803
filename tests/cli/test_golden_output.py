"""Terminal output at a fixed width, compared with golden text.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/cli``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("list", ["list"]),
        ("list-uk", ["list", "--lang", "uk"]),
        ("grade-wrong", ["grade", "arp-poisoning", "--answers",
                         str(ROOT / "tests/scenarios/answers/arp-poisoning.wrong.yaml")]),
    ],
)
def test_output_matches_golden(cli, name, args):
    result = cli(*args)
    assert result.code == 0, result.stderr
    text = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
    text = text.replace(str(ROOT), "<root>")
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
