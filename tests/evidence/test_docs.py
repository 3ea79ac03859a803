"""docs/facts.md documents every table and field the analyzers produce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from runner.checkers.base import JudgeContext, Key, Status
from runner.evidence.analyzers.registry import all_tables
from runner.evidence.query import resolve_query
from runner.scenario.compile import compile_answer
from runner.scenario.problems import Collector
from runner.scenario.yamlsrc import Source

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "facts.md"


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


_EXAMPLE = re.compile(r"^answer: (\{.*\})\s+# ((?:pcaps|tests/data)/\S+) -> (.*)$")


def _examples() -> list[tuple[str, str, str]]:
    found = []
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            if line.startswith("answer:"):
                match = _EXAMPLE.match(line)
                assert match, f"query example without '# pcaps/CAPTURE -> result': {line}"
                found.append((match.group(1), match.group(2), match.group(3)))
    return found


def test_the_docs_have_query_examples_for_the_new_forms() -> None:
    text = " ".join(spec for spec, _capture, _result in _examples())
    for form in ("sort:", "take:", "extract:", "count_distinct", "pick: max", "pick: sum",
                 "also:", "type: record", "type: sequence", "packets.tcp", "ftp.transfers",
                 "smtp.", "ssh.banners", "vlan.ids", "dhcp.options", "fingerprints.hosts",
                 "streams.text", "arp."):
        assert form in text, form


@pytest.mark.parametrize(("spec", "capture", "result"), _examples(), ids=lambda v: str(v)[:50])
def test_every_query_example_finds_its_answer_on_the_shipped_capture(
    spec: str, capture: str, result: str, tmp_path: Path
) -> None:
    answer = yaml.safe_load(spec)
    out = Collector(Source(DOC, spec, answer), DOC)
    compiled = compile_answer(answer, out, ())
    assert compiled is not None and not out.items, [p.one_line() for p in out.items]
    assert compiled.query is not None
    values = resolve_query(compiled.query, ROOT / capture,
                           cache_dir=tmp_path).values
    assert values, f"{spec} finds nothing on {capture}"
    if compiled.checker.name == "record":
        key = Key(values=values)
        verdict = compiled.checker.judge(result, key, compiled.params, JudgeContext())
        assert verdict.status is Status.CORRECT, verdict.feedback
    else:
        assert ",".join(str(v) for v in values) == result
