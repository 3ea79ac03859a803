"""Stories: strict loading with lines, seeded drawing, byte-identical variants."""

from __future__ import annotations

import ipaddress
import textwrap
from pathlib import Path

import pytest

import runner.generate.generators as generators_pkg
from runner.errors import InputError
from runner.generate.generators import ALL
from runner.generate.registry import GeneratorRegistry, registry
from runner.generate.seeds import derive_seed
from runner.generate.story import draw, load_story
from runner.generate.variables import pools
from runner.generate.variant import generate_variant
from runner.scenario.problems import ScenarioError

STORY = """\
schema_version: 1
id: office-break-in
variables:
  lan: {cidr: 10.20.30.0/24}
  victim_ip: {same_subnet_as: lan}
  attacker_ip: {cidr: 203.0.113.0/24}
  user: {pool: usernames}
  password: {pool: passwords}
  open_ports: {sample: [21, 22, 23, 80, 443, 445, 3389, 8080], count: 3}
  port: {range: [1024, 65535]}
  login: {template: "{{user}}:{{password}}"}
hosts:
  victim: {ip: "{{victim_ip}}", os: windows, name: ws-accounting}
  attacker: {ip: "{{attacker_ip}}", os: linux}
outputs:
  note:
    kind: text
    content: "Seized from {{victim.name}} ({{victim.ip}}, {{victim.mac}}) for {{user}}."
  words:
    kind: wordlist
    include: ["{{password}}"]
    size: 50
"""


def write(tmp_path: Path, text: str, name: str = "story.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_every_generator_module_is_listed() -> None:
    folder = Path(generators_pkg.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__"}
    listed = {type(g).__module__.rsplit(".", 1)[-1] for g in ALL}
    assert modules == listed


def test_registry_refuses_a_duplicate_kind() -> None:
    reg = GeneratorRegistry()
    reg.register(ALL[0])
    with pytest.raises(ValueError, match="registered twice"):
        reg.register(ALL[0])


def test_same_seed_gives_identical_bytes_and_values(tmp_path: Path) -> None:
    story = load_story(write(tmp_path, STORY))
    one = generate_variant(story, 7, tmp_path / "a")
    two = generate_variant(story, 7, tmp_path / "b")
    assert one.sha256 == two.sha256
    assert one.values == two.values
    for name in one.files:
        assert one.files[name].read_bytes() == two.files[name].read_bytes()


def test_seeds_give_different_variants(tmp_path: Path) -> None:
    story = load_story(write(tmp_path, STORY))
    variants = [generate_variant(story, derive_seed("class-1", f"seat-{i}"), tmp_path / str(i))
                for i in range(10)]
    assert len({v.values["victim_ip"] for v in variants}) >= 8
    assert len({v.sha256["note"] for v in variants}) == 10


def test_drawn_values_respect_their_constraints(tmp_path: Path) -> None:
    story = load_story(write(tmp_path, STORY))
    for seed in range(50):
        values = draw(story, seed).values
        assert ipaddress.ip_address(values["victim_ip"]) in ipaddress.ip_network("10.20.30.0/24")
        assert values["victim_ip"] not in ("10.20.30.0", "10.20.30.255", values["lan"])
        assert len(set(values["open_ports"])) == 3
        assert 1024 <= values["port"] <= 65535
        assert values["login"] == f"{values['user']}:{values['password']}"
        assert values["victim"]["ttl"] == 128 and values["attacker"]["ttl"] == 64
        assert values["victim"]["mac"].startswith(("00:14:22", "18:66:da", "f8:bc:12"))


def test_outputs_use_the_story_values(tmp_path: Path) -> None:
    story = load_story(write(tmp_path, STORY))
    variant = generate_variant(story, 3, tmp_path / "v")
    note = variant.files["note"].read_text()
    assert variant.values["victim"]["ip"] in note and variant.values["user"] in note
    words = variant.files["words"].read_text().splitlines()
    assert len(words) == 50 and variant.values["password"] in words


def test_only_the_wanted_outputs_are_written(tmp_path: Path) -> None:
    story = load_story(write(tmp_path, STORY))
    variant = generate_variant(story, 3, tmp_path / "v", outputs=["words"],
                               names={"words": "rockyou-mini.txt"})
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == ["rockyou-mini.txt"]
    assert variant.values["user"]  # every value is still drawn


@pytest.mark.parametrize(("change", "line", "message"), [
    (("user: {pool: usernames}", "user: {pool: nicknames}"), 7, "unknown word pool 'nicknames'"),
    (("{{user}}:{{password}}", "{{user}}:{{pasword}}"), 11, "names no story value"),
    (("os: linux", "os: bsd"), 14, "hosts.attacker.os"),
    (("content:", "contents:"), 18, "unknown key 'contents'"),
    (("kind: text", "kind: txt"), 17, "unknown output kind 'txt'"),
    (("count: 3", "count: 30"), 9, "cannot draw 30 distinct items"),
    (("same_subnet_as: lan", "same_subnet_as: wan"), 5, "names no address variable"),
])
def test_problems_are_reported_with_their_line(tmp_path: Path, change: tuple[str, str],
                                               line: int, message: str) -> None:
    path = write(tmp_path, STORY.replace(*change))
    with pytest.raises(ScenarioError) as info:
        load_story(path)
    text = "\n".join(p.one_line() for p in info.value.problems)
    assert message in text
    assert any(p.line == line for p in info.value.problems), text


def test_more_distinct_hosts_than_the_block_holds_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        id: tiny
        variables:
          a: {cidr: 192.0.2.0/30}
          b: {cidr: 192.0.2.0/30}
          c: {cidr: 192.0.2.0/30}
        outputs:
          note: {kind: text, content: "{{a}}"}
        """)
    with pytest.raises(ScenarioError) as info:
        load_story(path)
    assert "no free host address" in info.value.problems[0].message
    assert info.value.problems[0].line == 5


def test_unknown_output_in_a_request_is_an_input_error(tmp_path: Path) -> None:
    story = load_story(write(tmp_path, STORY))
    with pytest.raises(InputError, match="no output 'capture'"):
        generate_variant(story, 1, tmp_path / "v", outputs=["capture"])


def test_pools_are_shipped_and_named() -> None:
    assert {"first-names", "host-names", "domains", "usernames", "passwords",
            "file-names"} <= set(pools())
    assert "text" in registry() and "wordlist" in registry()


def test_a_template_reaches_a_list_item_by_its_index() -> None:
    """Regression: {{usb.deleted.0.path}} was left unfilled (numeric parts were refused)."""
    from runner.generate.variables import render_any

    values = {"usb": {"deleted": [{"path": "/a.txt"}]}}
    assert render_any("{{usb.deleted.0.path}}", values) == "/a.txt"
    assert render_any("at {{ usb.deleted.0.path }}", values) == "at /a.txt"
