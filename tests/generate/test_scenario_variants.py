"""Generated evidence in scenarios: validation with lines, variants, keys, grading by seed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import CliRunner

from runner.classroom.store import ClassStore
from runner.generate.materialize import materialize
from runner.scenario.loader import load_scenario, validate_scenario
from runner.session.keys import resolve_keys
from runner.session.service import SessionService

DATA = Path(__file__).resolve().parent / "data"
SCENARIO = DATA / "note-scenario.yaml"


def copy_case(tmp_path: Path) -> Path:
    for name in ("note-scenario.yaml", "note-story.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path / "note-scenario.yaml"


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    _, found = validate_scenario(path)
    return [p.one_line() for p in found if p.severity == "error"]


def test_a_generated_entry_takes_no_sha256_and_not_both_sources(tmp_path: Path) -> None:
    path = edit(copy_case(tmp_path), "    output: note\n", "    output: note\n    sha256: "
                + "a" * 64 + "\n")
    assert any(":6: evidence[0]" in p and "no fixed 'sha256'" in p for p in problems(path))
    path = edit(copy_case(tmp_path), "  - generate: note-story.yaml\n    output: note\n",
                "  - generate: note-story.yaml\n    file: x.txt\n    output: note\n")
    assert any("exactly one of 'file'" in p for p in problems(path))


def test_a_story_with_several_outputs_needs_output(tmp_path: Path) -> None:
    path = edit(copy_case(tmp_path), "    output: note\n", "")
    assert any(":6: evidence[0].generate: story 'seized-note' has 2 outputs" in p
               for p in problems(path))
    path = edit(copy_case(tmp_path), "output: note", "output: notes")
    assert any("has no output 'notes'" in p and "use one of: note, words" in p
               for p in problems(path))


def test_story_problems_carry_the_story_file_and_line(tmp_path: Path) -> None:
    path = copy_case(tmp_path)
    edit(tmp_path / "note-story.yaml", "kind: wordlist", "kind: wordlists")
    found = problems(path)
    assert len(found) == 1
    assert any("note-story.yaml:19: outputs.words.kind: unknown output kind 'wordlists'" in p
               and "did you mean 'wordlist'" in p for p in found), found
    edit(path, "generate: note-story.yaml\n    output: note", "generate: missing.yaml")
    assert any(":6: evidence[0].generate: story file not found: missing.yaml" in p
               for p in problems(path))


def test_an_inline_story_is_checked_at_its_lines_in_the_scenario(tmp_path: Path) -> None:
    path = edit(copy_case(tmp_path), "banner: {kind: text, content: \"Case {{code}}\"}",
                "banner: {kind: text, content: \"Case {{codes}}\"}")
    found = problems(path)
    assert len(found) == 1
    assert "note-scenario.yaml:17: evidence[2].generate.outputs.banner: '{{codes}}' names " \
        "no variable" in found[0]


def test_validate_draws_a_probe_variant_so_task_placeholders_are_checked(
        tmp_path: Path, cli: CliRunner) -> None:
    path = edit(copy_case(tmp_path), "reached the host {{victim.name}}",
                "reached the host {{victim.nam}}")
    result = cli("validate", str(path))
    assert result.code == 3
    assert "note-scenario.yaml:21: tasks[0].question: '{{victim.nam}}' names no story " \
        "value" in result.stdout
    path = edit(copy_case(tmp_path), "{story: user}", "{story: usr}")
    result = cli("validate", str(path))
    assert result.code == 3
    assert "note-scenario.yaml:27: tasks[1].answer.expected: task 'account': 'story: usr' " \
        "names no story value" in result.stdout


def test_same_seed_same_bytes_other_seeds_other_keys(tmp_path: Path) -> None:
    loaded = load_scenario(SCENARIO)
    one = materialize(loaded, 11, tmp_path / "a")
    again = materialize(loaded, 11, tmp_path / "b")
    assert [(e.name, e.sha256) for e in one.evidence] == [(e.name, e.sha256)
                                                           for e in again.evidence]
    for ev in one.evidence:
        assert ev.path.read_bytes() == (tmp_path / "b" / ev.name).read_bytes()
        assert ev.path.parent == tmp_path / "a"  # never the scenario's folder
    keys = [resolve_keys(materialize(loaded, seed, tmp_path / str(seed)))
            for seed in range(20, 30)]
    for task in ("attacker", "account", "password"):
        assert len({k[task][0] for k in keys}) >= 6, task  # most variants differ
    assert len({k["case"][0] for k in keys}) == 1  # 'seed: fixed': one for everybody
    key, provenance = resolve_keys(one)["attacker"]
    assert provenance["source"] == "story" and provenance["variant_seed"] == 11
    assert {s["story"] for s in provenance["stories"]} == {"seized-note", "banner"}
    assert one.model.tasks[0].question == "Which address reached the host ws-accounting?"
    assert one.model.tasks[0].solution == key.values[0]


def test_variant_writes_evidence_and_an_answer_sheet_graded_by_seed(
        tmp_path: Path, cli: CliRunner) -> None:
    out = tmp_path / "v42"
    made = cli("variant", str(SCENARIO), "--seed", "42", "--out", str(out), "--json")
    assert made.code == 0, made.stderr
    info = json.loads(made.stdout)
    assert sorted(e["name"] for e in info["evidence"]) == ["banner.txt", "note.txt",
                                                           "words.txt"]
    sheet = yaml.safe_load((out / "answers.yaml").read_text())
    assert set(sheet) == {"attacker", "account", "password", "case"}
    assert sheet["attacker"] in (out / "note.txt").read_text()
    again = cli("variant", str(SCENARIO), "--seed", "42", "--out", str(tmp_path / "w"))
    assert again.code == 0
    assert (tmp_path / "w" / "note.txt").read_bytes() == (out / "note.txt").read_bytes()
    own = json.loads(cli("grade", str(SCENARIO), "--seed", "42", "--answers",
                         str(out / "answers.yaml"), "--json").stdout)
    assert own["total"]["percent"] == 100.0
    other = json.loads(cli("grade", str(SCENARIO), "--seed", "43", "--answers",
                           str(out / "answers.yaml"), "--json").stdout)
    assert other["total"]["percent"] <= 25.0  # only the fixed-seed task still fits
    unseeded = cli("grade", str(SCENARIO), "--answers", str(out / "answers.yaml"))
    assert unseeded.code == 2 and "give --seed S" in unseeded.stderr
    busy = cli("variant", str(SCENARIO), "--seed", "1", "--out", str(out))
    assert busy.code == 3 and "not an empty folder" in busy.stderr


def test_verify_variants_self_tests_each_variant(cli: CliRunner) -> None:
    result = cli("verify", str(SCENARIO), "--variants", "4", "--json")
    assert result.code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)["scenarios"][0]
    assert report["ok"] and len(report["variants"]) == 4
    assert len({v["seed"] for v in report["variants"]}) == 4
    assert all(v["percent"] == 100.0 for v in report["variants"])


def test_verify_reports_a_wrong_templated_solution(tmp_path: Path, cli: CliRunner) -> None:
    path = edit(copy_case(tmp_path), 'solution: "{{user}}"', 'solution: "{{password}}"')
    result = cli("verify", str(path), "--variants", "2", "--json")
    assert result.code == 1
    report = json.loads(result.stdout)["scenarios"][0]
    assert not report["ok"] and report["failed"] == 2
    assert "task 'account': reference solution wrong" in report["variants"][0]["problems"][0]


def test_schema_describes_generated_evidence(cli: CliRunner) -> None:
    schema = json.loads(cli("schema").stdout)
    props = schema["$defs"]["Evidence"]["properties"]
    assert {"generate", "output", "seed", "file", "sha256"} <= set(props)
    assert props["seed"]["enum"] == ["seat", "fixed"]
    ip = next(v for v in schema["$defs"]["Task"]["properties"]["answer"]["oneOf"]
              if v["properties"]["type"] == {"const": "ip"})
    assert "check" in ip["properties"]
    assert any(o.get("required") == ["story"] for o in ip["properties"]["expected"]["anyOf"])


@pytest.fixture
def story_class(cli: CliRunner, tmp_path: Path) -> str:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nann,Ann,A,a@x.org\nbob,Bob,B,b@x.org\n"
                      "cid,Cid,C,c@x.org\n", encoding="utf-8")
    made = cli("class", "create", "v1", "--scenario", str(SCENARIO), "--roster", str(roster),
               "--credentials-out", str(tmp_path / "creds.csv"), "--seed", "1")
    assert made.code == 0, made.stderr
    started = cli("class", "start", "v1", "--backend", "local", "--json")
    assert started.code == 0, started.stderr + started.stdout
    return "v1"


def test_seats_get_their_own_variant_and_copied_answers_are_flagged(
        story_class: str, cli: CliRunner, home: Path, tmp_path: Path) -> None:
    classes = ClassStore.open(home)
    try:
        labs = {lab.seat: lab.session_id for lab in classes.labs(story_class)}
        seeds = {s.seat: s.seed for s in classes.seats(story_class)}
        store = classes.store
        keys = {seat: store.keys(sid) for seat, sid in labs.items()}
        assert keys["ann"]["attacker"][0] != keys["bob"]["attacker"][0]
        notes = {seat: (home / "variants" / sid / "note.txt").read_bytes()
                 for seat, sid in labs.items()}
        assert len(set(notes.values())) == 3
        prov = keys["ann"]["attacker"][1]
        assert prov["variant_seed"] == seeds["ann"] and prov["source"] == "story"
        # the trainer's copy of a seat's variant is byte-identical to the seat's
        out = tmp_path / "ann"
        assert cli("variant", str(SCENARIO), "--seed", str(seeds["ann"]), "--out",
                   str(out)).code == 0
        assert (out / "note.txt").read_bytes() == notes["ann"]
        # bob types ann's answers in his own lab: wrong for his variant, flagged
        loaded = load_scenario(SCENARIO)
        sheet = yaml.safe_load((out / "answers.yaml").read_text())
        from runner.session.runtime import session_variant

        bob = session_variant(home, store.session(labs["bob"]), loaded)
        service = SessionService(store, labs["bob"], bob, None)
        verdicts = [service.handle({"op": "answer", "task": t, "value": str(sheet[t])})
                    for t in ("attacker", "account", "password")]
        assert [v["data"]["status"] for v in verdicts] == ["wrong"] * 3
        question = service.handle({"op": "show", "task": "attacker"})["data"]["question"]
        assert bob.model.tasks[0].question == question and "{{" not in question
    finally:
        classes.close()
    exported = cli("class", "export", story_class, "--format", "json", "--output", str(tmp_path))
    assert exported.code == 0, exported.stderr
    rows = json.loads((tmp_path / f"{story_class}-gradebook.json").read_text())["tasks"]
    flagged = {(r["seat"], r["task"]): r["copied_from"] for r in rows if r["copied_from"]}
    assert flagged == {("bob", "attacker"): "ann", ("bob", "account"): "ann",
                       ("bob", "password"): "ann"}
    board = cli("class", "status", story_class, "--json")
    seats = {s["seat"]: s["copied"] for s in json.loads(board.stdout)["seats"]}
    assert sorted(seats["bob"]) == [f"seized-note/{t}" for t in ("account", "attacker",
                                                                 "password")]
    assert seats["ann"] == [] and seats["cid"] == []




def test_class_seed_and_seat_id_give_the_seat_seeds(cli: CliRunner, home: Path,
                                                    tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nann,Ann,A,a@x.org\nbob,Bob,B,b@x.org\n",
                      encoding="utf-8")
    for name in ("s1", "s2", "s3"):
        seed = "7" if name != "s3" else "8"
        assert cli("class", "create", name, "--scenario", str(SCENARIO), "--roster",
                   str(roster), "--seed", seed).code == 0
    with ClassStore.open(home) as classes:
        seeds = {name: [s.seed for s in classes.seats(name)] for name in ("s1", "s2", "s3")}
    assert seeds["s1"] == seeds["s2"] and len(set(seeds["s1"])) == 2
    assert seeds["s3"] != seeds["s1"]


def test_offline_sheets_are_graded_against_each_seats_variant(
        story_class: str, cli: CliRunner, home: Path, tmp_path: Path) -> None:
    with ClassStore.open(home) as classes:
        seeds = {s.seat: s.seed for s in classes.seats(story_class)}
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for seat in ("ann", "bob"):
        assert cli("variant", str(SCENARIO), "--seed", str(seeds[seat]), "--out",
                   str(tmp_path / seat)).code == 0
    shutil.copy(tmp_path / "ann" / "answers.yaml", sheets / "ann.yaml")
    shutil.copy(tmp_path / "ann" / "answers.yaml", sheets / "bob.yaml")  # bob hands in ann's
    graded = cli("class", "grade", story_class, "--answers", str(sheets), "--json")
    assert graded.code == 0, graded.stderr
    percent = {r["seat"]: r["percent"] for r in json.loads(graded.stdout)["graded"]}
    assert percent["ann"] == 100.0 and percent["bob"] <= 25.0


def test_a_session_report_names_the_seed_and_gc_removes_ended_variants(
        cli: CliRunner, home: Path) -> None:
    started = cli("start", str(SCENARIO), "--backend", "local", "--seed", "5", "--run",
                  "cat $EVIDENCE/note.txt", "--remove")
    assert started.code == 0, started.stderr
    (session,) = [s["id"] for s in json.loads(cli("status", "--json").stdout)["sessions"]]
    report = json.loads(cli("report", session, "--format", "json").stdout)
    assert report["variant_seed"] == 5
    (event,) = [e for e in report["events"] if e["kind"] == "variant"]
    assert event["variant_seed"] == 5 and {s["story"] for s in event["stories"]} == {
        "seized-note", "banner"}
    manifest = {e["name"]: e["sha256"] for e in report["evidence"]}
    assert manifest == {name: sha for s in event["stories"] for name, sha in s["sha256"].items()}
    assert all(e["at_start"] == e["at_stop"] == e["sha256"] for e in report["evidence"])
    assert {k["source"] for k in report["answer_keys"]} == {"story", "scenario"}
    assert "{{" not in report["tasks"][0]["question"]
    folder = home / "variants" / report["session"]
    assert (folder / "note.txt").read_text() in started.stdout
    removed = json.loads(cli("gc", "--json").stdout)
    assert not folder.exists() and any(report["session"] in r for r in removed["removed"])


def test_a_class_start_makes_slow_variants_in_worker_processes(
        cli: CliRunner, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runner.classroom.variants as variants_module
    import runner.generate.materialize as materialize_module

    made_here: list[int] = []
    real = materialize_module.generate_variant

    def counted(*args: object, **kw: object) -> object:
        made_here.append(1)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(materialize_module, "generate_variant", counted)
    monkeypatch.setattr(variants_module, "SLOW_SECONDS", 0.0)  # every variant is "slow"
    names = ["ann", "bob", "cid", "dee", "eve"]
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\n" + "".join(
        f"{n},{n.title()},X,{n}@x.org\n" for n in names), encoding="utf-8")
    assert cli("class", "create", "w1", "--scenario", str(SCENARIO), "--roster", str(roster),
               "--credentials-out", str(tmp_path / "c.csv"), "--seed", "3",
               "--variants-at-start").code == 0
    assert made_here == []
    started = cli("class", "start", "w1", "--backend", "local", "--json")
    assert started.code == 0, started.stderr + started.stdout
    outcomes = json.loads(started.stdout)["started"]
    assert len(outcomes) == 5
    # two stories per variant: only the first seat's were made in this process
    assert len(made_here) == 2
    with ClassStore.open(home) as classes:
        seeds = {s.seat: s.seed for s in classes.seats("w1")}
        for o in outcomes:
            assert classes.store.session(o["session_id"]).meta["variant_seed"] == seeds[o["seat"]]
            assert (home / "variants" / o["session_id"] / "note.txt").is_file()
    again = load_scenario(SCENARIO)
    for o in outcomes:  # what the workers wrote is the seat's variant, byte for byte
        copy = materialize(again, seeds[o["seat"]], tmp_path / "check" / o["seat"])
        assert (copy.evidence[0].path.read_bytes()
                == (home / "variants" / o["session_id"] / "note.txt").read_bytes())



def test_verify_reports_story_and_analyzers_disagreeing(tmp_path: Path, cli: CliRunner) -> None:
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "scenarios" / "stories", tmp_path / "scenarios" / "stories")
    shutil.copytree(root / "pcaps", tmp_path / "pcaps")
    shutil.copytree(root / "labs", tmp_path / "labs")
    path = tmp_path / "scenarios" / "office-intrusion.yaml"
    shutil.copy(root / "scenarios" / "office-intrusion.yaml", path)
    edit(path, "        target: '{{victim.ip}}'\n      select: scanner",
         "        target: '{{victim.ip}}'\n      select: target")
    result = cli("verify", str(path), "--variants", "2", "--json")
    assert result.code == 1
    variant = json.loads(result.stdout)["scenarios"][0]["variants"][0]
    assert variant["percent"] == 100.0 and variant["cross_checked"] == 7
    assert variant["problems"][0].startswith("task 'scanner': the story says ['198.51.100.")
    assert "the analyzers find ['10.20.30." in variant["problems"][0]


def test_check_needs_a_story_key_and_a_query(tmp_path: Path) -> None:
    path = edit(copy_case(tmp_path), "expected: \"{{password}}\", case_sensitive: true}",
                "expected: \"{{password}}\", case_sensitive: true, check: {from: dns.queries,"
                " select: name}}")
    assert any(":31: tasks[2].answer.check: 'check' cross-checks a story value" in p
               for p in problems(path)), problems(path)
    path = edit(copy_case(tmp_path), "expected: {story: user}}",
                "expected: {story: user}, check: {from: nope.table}}")
    assert any("tasks[1].answer.check: unknown table 'nope.table'" in p for p in problems(path))


def test_a_changed_generated_file_is_caught_on_resume_like_a_shipped_one(home: Path) -> None:
    from runner.errors import IntegrityError
    from runner.session.runtime import reopen_session, start_session

    with start_session(home, load_scenario(SCENARIO), backend_name="local", lang="en",
                       seed=8) as running:
        session_id = running.row.id
        note = running.loaded.evidence[0].path
        assert note.parent == home / "variants" / session_id
    note.write_text("tampered\n", encoding="utf-8")
    with pytest.raises(IntegrityError, match=r"evidence 'note\.txt' does not match its manifest"):
        reopen_session(home, session_id)
    note.unlink()  # gone (e.g. 'dflab gc'): the same seed makes the same bytes again
    with reopen_session(home, session_id) as again:
        assert again.loaded.evidence[0].sha256 == running.loaded.evidence[0].sha256
