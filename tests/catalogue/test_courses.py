"""Courses as files: strict loading, course list/show, start --course, class --course."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema

from runner.scenario.course import load_course, resolve_course, validate_course
from runner.scenario.course_plan import finished_scenarios, next_scenario
from runner.session.runtime import open_store

SHIPPED = ("network-investigation", "first-responder")


def test_shipped_courses_load_and_name_real_or_planned_scenarios(cli):
    listing = json.loads(cli("course", "list", "--json").stdout)
    assert {c["id"] for c in listing["courses"]} == set(SHIPPED) and not listing["broken"]
    net = next(c for c in listing["courses"] if c["id"] == "network-investigation")
    assert net["days"] == 5 and net["scenarios"] == 20
    fr = next(c for c in listing["courses"] if c["id"] == "first-responder")
    assert fr["days"] == 3
    shown = json.loads(cli("course", "show", "network-investigation", "--json").stdout)
    items = [i for d in shown["days"] for i in d["scenarios"]]
    assert items[0]["scenario"] == "traceroute-path" and items[0]["state"] == "ready"
    # every entry is written now (planned ones: test_planned_entries_are_shown_and_skipped)
    assert {i["state"] for i in items} == {"ready"}
    assert cli("course", "show", "network-investigation", "--lang", "uk").code == 0


def test_course_schema_validates_the_shipped_courses(cli):
    schema = json.loads(cli("course", "schema").stdout)
    import yaml

    for course in SHIPPED:
        path = resolve_course(course).path
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "courses" / "c.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def test_bad_course_reports_file_line_and_did_you_mean(tmp_path, cli):
    path = _write(tmp_path, "schema_version: 1\nid: c\ntitle: C\ndays:\n"
                  "  - title: D1\n    scenarios:\n      - scenario: traceroute-pat\n"
                  "      - scenario: arp-poisoning\n        prerequisites: [ftp-credentials]\n")
    _, problems = validate_course(path)
    lines = [p.one_line() for p in problems]
    assert f"{path}:7: days[0].scenarios[0].scenario: no scenario 'traceroute-pat' in the " \
           "catalogue (fix: did you mean 'traceroute-path'?)" in lines
    assert any(":9:" in line and "prerequisite 'ftp-credentials' does not come earlier" in line
               for line in lines)
    path.write_text(path.read_text().replace("prerequisites", "prerequisite"))
    lines = [p.one_line() for p in validate_course(path)[1]]
    assert any(":9:" in line and "unknown key 'prerequisite'" in line
               and "did you mean 'prerequisites'?" in line for line in lines)
    result = cli("validate", str(path))
    assert result.code == 3 and "unknown key 'prerequisite'" in result.stdout


def test_planned_entries_are_shown_and_skipped(tmp_path, home):
    path = _write(tmp_path, "schema_version: 1\nid: c\ntitle: C\ndays:\n"
                  "  - title: D1\n    scenarios:\n"
                  "      - scenario: not-yet\n        planned: true\n"
                  "      - scenario: traceroute-path\n      - scenario: port-scan-triage\n")
    course = load_course(path)
    assert next_scenario(course, set()).name == "traceroute-path.yaml"
    with open_store(home) as store:
        sid = store.create_session(scenario_id="traceroute-path", scenario_path="x",
                                   scenario_sha256="0" * 64, title="t", lang="en",
                                   trainee="me", backend="local")
        store.update_session(sid, status="stopped", updated_at=time.time())
    assert finished_scenarios(home) == {"traceroute-path"}
    assert next_scenario(course, finished_scenarios(home)).name == "port-scan-triage.yaml"
    assert next_scenario(course, {"traceroute-path", "port-scan-triage"}) is None


def test_start_course_errors_are_one_line(cli):
    result = cli("start", "--course", "network-investigaton")
    assert result.code == 4 and "did you mean 'network-investigation'?" in result.stderr
    both = cli("start", "traceroute-path", "--course", "network-investigation")
    assert both.code == 2 and "not both" in both.stderr


def test_class_create_from_a_course_takes_its_scenarios_in_order(cli, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nalice,Alice\n", encoding="utf-8")
    made = cli("class", "create", "k", "--course", "network-investigation", "--roster",
               str(roster), "--credentials-out", str(tmp_path / "creds.csv"))
    assert made.code == 0, made.stderr
    classes = json.loads(cli("class", "list", "--json").stdout)["classes"]
    assert classes[0]["scenarios"] == [
        "traceroute-path", "network-conversations", "port-scan-triage", "dmz-recon",
        "office-intrusion", "lan-mitm", "arp-poisoning", "linked-incidents", "wifi-deauth",
        "ftp-credentials", "cleartext-credentials", "cleartext-logins", "phishing-basics",
        "phishing-mail", "phishing-chain", "dns-tunnel-basics", "icmp-exfil", "phone-beacon",
        "tor-office", "tor-browser"]
    neither = cli("class", "create", "k2", "--roster", str(roster))
    assert neither.code == 2 and "--scenario or --course" in neither.stderr


def test_start_course_walks_the_course_in_order_through_real_local_labs(cli, tmp_path):
    course = _write(tmp_path, "schema_version: 1\nid: two\ntitle: Two\ndays:\n"
                    "  - title: D\n    scenarios:\n      - scenario: soon\n        planned: true\n"
                    "      - scenario: traceroute-path\n      - scenario: port-scan-triage\n")
    started = []
    for _ in range(2):
        result = cli("start", "--course", str(course), "--backend", "local", "--run", "true",
                     "--remove")
        assert result.code == 0, result.stderr
        started.append(result.stderr.split("next is ", 1)[1].split()[0])
    assert started == ["traceroute-path", "port-scan-triage"]
    done = cli("start", "--course", str(course), "--backend", "local", "--run", "true")
    assert done.code == 4 and "every scenario of course 'two' is finished" in done.stderr
    shown = json.loads(cli("course", "show", str(course), "--json").stdout)
    assert [i["state"] for i in shown["days"][0]["scenarios"]] == ["planned", "finished",
                                                                  "finished"]
