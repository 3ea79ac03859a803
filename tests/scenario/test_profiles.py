"""One profile reader (issue 9.17): found on one search path, read by the strict YAML rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import laughs

from runner.backends.images import profile_image
from runner.errors import BackendError, NotFoundError
from runner.scenario.profiles import find_profile, known_profiles, load_profile


def test_shipped_profiles_are_found_and_read():
    assert {"network", "disk"} <= set(known_profiles())
    assert load_profile("network").image == profile_image("network").removesuffix(":latest")


def test_unknown_profile_suggests_the_nearest():
    with pytest.raises(NotFoundError, match="unknown lab profile 'netwrk'") as caught:
        find_profile("netwrk")
    assert caught.value.fix == "did you mean 'network'?"


def test_image_builder_reads_profiles_with_the_same_rules(tmp_path: Path):
    labs = tmp_path / "labs"
    labs.mkdir()
    (labs / "bomb.yaml").write_text("schema_version: 1\nid: bomb\nimage: x\nx:\n"
                                    + laughs(indent="  "))
    with pytest.raises(BackendError, match="aliases expand to more than") as caught:
        profile_image("bomb", tmp_path)
    assert "\n" not in caught.value.one_line()
    (labs / "typo.yaml").write_text("schema_version: 1\nid: typo\nimage: x\nlimts: {}\n")
    with pytest.raises(BackendError, match="unknown key 'limts'"):
        profile_image("typo", tmp_path)


def test_profile_warnings_reach_validate(cli, build):
    labs = build.root / "labs"
    labs.mkdir()
    (labs / "odd.yaml").write_text("schema_version: 1\nid: odd\nimage: x\n"
                                   "limits: {cpus: 1e0}\n")
    result = cli("validate", str(build.scenario(lab="odd")))
    assert result.code == 0
    assert f"{labs / 'odd.yaml'}:4: limits.cpus: '1e0' is read as the number 1.0" in \
        " ".join(result.stdout.split())
