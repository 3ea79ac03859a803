"""Hostile inputs from every door a trainee or a shared file opens (issue 10, item 14):
scenario YAML, answer sheets, captures, lab-socket requests and submitted files. Each
input must be accepted or refused with a DflabError / an invalid verdict; anything
else is a crash, and taking longer than the profile's deadline is a hang."""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import ScenarioBuilder

from fuzz.conftest import count
from runner.checkers import registry
from runner.checkers.base import JudgeContext, Key, Status
from runner.checkers.frames import FramesChecker, FramesParams
from runner.errors import DflabError
from runner.evidence.reader import iter_packets
from runner.scenario.loader import load_scenario
from runner.session.grading import grade, load_sheet
from runner.session.keys import key_to_json, resolve_keys
from runner.session.server import parse_request
from runner.session.service import SessionService
from runner.session.store import Store

ROOT = Path(__file__).resolve().parents[2]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(),
                    st.text(max_size=40))
TREES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)
KEYS = st.sampled_from(["id", "title", "tasks", "evidence", "answer", "type", "expected",
                        "points", "requires", "hints", "max_attempts", "lab", "file",
                        "sha256", "schema_version", "question", "solution", "cost"])


def outcome(job: Any) -> Any:
    """Run one input; count it; let anything but a DflabError escape (a crash)."""
    try:
        result = job()
    except DflabError as exc:
        assert exc.one_line() and "Traceback" not in exc.one_line()
        count("clean")
        return None
    count("accepted")
    return result


def mutate(base: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    node: Any = base
    for key in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(key, {})
        elif isinstance(node, list) and node:
            node = node[0]
        else:
            return base
    if isinstance(node, dict) and path:
        node[path[-1]] = value
    return base


# -- scenario YAML -------------------------------------------------------------------

@given(path=st.lists(KEYS, min_size=1, max_size=4), value=TREES)
def test_scenario_mutations_load_or_fail_cleanly(tmp_path_factory, path, value):
    build = ScenarioBuilder(tmp_path_factory.mktemp("scn"))
    scenario = build.scenario()
    data = mutate(yaml.safe_load(scenario.read_text()), path, value)
    scenario.write_text(yaml.safe_dump(data, allow_unicode=True))
    outcome(lambda: load_scenario(scenario))


@pytest.mark.parametrize("task_id", [{"id": [1]}, [1, 2], {"a": 1}])
def test_a_task_id_that_is_not_text_is_a_clean_error(tmp_path, task_id):
    """Found by the fuzz profile: an unhashable id crashed the raw checks (TypeError)."""
    build = ScenarioBuilder(tmp_path)
    scenario = build.scenario()
    data = yaml.safe_load(scenario.read_text())
    data["tasks"][0]["id"] = task_id
    scenario.write_text(yaml.safe_dump(data))
    with pytest.raises(DflabError, match="id"):
        load_scenario(scenario)


@given(text=st.one_of(st.text(max_size=400), st.binary(max_size=400).map(
    lambda b: b.decode("latin-1"))))
def test_scenario_text_loads_or_fails_cleanly(tmp_path_factory, text):
    scenario = tmp_path_factory.mktemp("raw") / "case.yaml"
    scenario.write_text(text, encoding="utf-8", errors="surrogateescape")
    outcome(lambda: load_scenario(scenario))


# -- answer sheets -------------------------------------------------------------------

@given(sheet=st.one_of(TREES, st.dictionaries(st.sampled_from(["word", "final", "x"]),
                                              TREES, max_size=3)))
def test_answer_sheets_grade_or_fail_cleanly(tmp_path_factory, sheet):
    build = ScenarioBuilder(tmp_path_factory.mktemp("sheet"))
    loaded = load_scenario(build.scenario())
    path = build.root / "answers.yaml"
    path.write_text(yaml.safe_dump(sheet, allow_unicode=True))
    results = outcome(lambda: grade(loaded, load_sheet(path), build.root))
    if results is not None:
        assert {r.task for r in results} == {"word", "final"}


# -- captures ------------------------------------------------------------------------

PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
SYNSCAN = (ROOT / "pcaps" / "cs_synscan.pcapng").read_bytes()[:4096]


@st.composite
def captures(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["records", "mutated", "raw"]))
    if kind == "raw":
        return draw(st.binary(max_size=2048))
    if kind == "mutated":
        data = bytearray(SYNSCAN)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data[: draw(st.integers(0, len(data)))])
    records = draw(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1),
                                      st.binary(max_size=64), st.integers(0, 2**32 - 1)),
                            max_size=20))
    body = b"".join(struct.pack("<IIII", s, u, len(d), w) + d for s, u, d, w in records)
    return PCAP_HEADER + body


@given(data=captures())
def test_captures_read_or_fail_cleanly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cap") / "x.pcap"
    path.write_bytes(data)
    outcome(lambda: sum(1 for _ in iter_packets(path)))


@given(data=captures())
def test_submitted_captures_get_a_verdict(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("sub")
    (folder / "ev.pcapng").write_bytes((ROOT / "pcaps" / "cs_synscan.pcapng").read_bytes())
    (folder / "x.pcap").write_bytes(data)
    verdict = outcome(lambda: FramesChecker().judge_file(
        folder / "x.pcap", Key(values=("1-3",)), FramesParams(evidence="ev"),
        JudgeContext(evidence={"ev": folder / "ev.pcapng"})))
    assert verdict is None or verdict.status in set(Status)


# -- submitted files to every file checker ------------------------------------------

@given(data=st.binary(max_size=4096), name=st.sampled_from(sorted(
    n for n in registry().names() if registry().get(n).accepts_file)))
def test_submitted_files_get_a_verdict(tmp_path_factory, data, name):
    folder = tmp_path_factory.mktemp("file")
    (folder / "ev.pcapng").write_bytes((ROOT / "pcaps" / "cs_synscan.pcapng").read_bytes())
    path = folder / "submitted.bin"
    path.write_bytes(data)
    checker = registry().get(name)
    params = checker.parse_params({"evidence": "ev"} if name == "frames" else {})
    ctx = JudgeContext(evidence={"ev": folder / "ev.pcapng"})
    verdict = outcome(lambda: checker.judge_file(path, Key(values=("0" * 64,)), params, ctx))
    assert verdict is None or verdict.status in set(Status)


# -- lab-socket requests ----------------------------------------------------------------

_SERVICE: dict[str, SessionService] = {}


def service(tmp: Path) -> SessionService:
    if "s" not in _SERVICE:
        build = ScenarioBuilder(tmp)
        loaded = load_scenario(build.scenario())
        store = Store(tmp / "s.db")
        sid = store.create_session(scenario_id=loaded.id, scenario_path=str(loaded.path),
                                   scenario_sha256=loaded.sha256, title="t", lang="en",
                                   trainee="t", backend="local")
        store.save_keys(sid, {t: (key_to_json(k), p)
                              for t, (k, p) in resolve_keys(loaded).items()})
        _SERVICE["s"] = SessionService(store, sid, loaded, None, rate_per_minute=10**9)
    return _SERVICE["s"]


REQUESTS = st.one_of(
    st.binary(max_size=512),
    TREES.map(lambda t: json.dumps(t).encode()),
    st.fixed_dictionaries({"v": st.one_of(st.just(1), SCALARS),
                           "op": st.sampled_from(["hello", "tasks", "show", "answer", "submit",
                                                  "hint", "score", "x"]),
                           "task": st.one_of(st.sampled_from(["word", "final"]), SCALARS),
                           "value": st.one_of(st.text(max_size=80), TREES),
                           "path": st.one_of(st.text(max_size=40), SCALARS)}).map(
        lambda d: json.dumps(d).encode()),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    st.text(max_size=20).map(lambda t: ('{"v":1,"op":"answer","task":"word","value":"'
                                        + t + '\\ud800"}').encode()),
)


@given(raw=REQUESTS)
def test_lab_socket_requests_get_a_reply(tmp_path_factory, raw):
    svc = service(tmp_path_factory.getbasetemp() / "socket")
    request, refusal = parse_request(raw)
    reply = refusal if refusal is not None else svc.handle(request)
    count("clean" if not reply["ok"] else "accepted")
    json.dumps(reply)  # always sendable
    assert set(reply) <= {"ok", "data", "error", "code"}
