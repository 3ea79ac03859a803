"""``dflab gc`` and a class's Docker work volumes: shown first, removed only when asked.

Needs a Docker engine (marked ``docker``: CI runs these and fails without one).
"""

from __future__ import annotations

import json

import docker
import pytest

from runner.backends import images
from runner.classroom.store import ClassStore

pytestmark = pytest.mark.docker


def test_gc_keeps_a_seats_work_volume_until_exported_and_asked(cli, home, tmp_path):
    images.build_images(["network"])
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nann,Ann\n")
    assert cli("class", "create", "g1", "--scenario", "port-scan-triage", "--roster",
               str(roster), "--credentials-out", str(tmp_path / "c.csv")).code == 0
    started = cli("class", "start", "g1", "--json")
    assert started.code == 0, started.stderr
    classes = ClassStore.open(home)
    (lab,) = classes.labs("g1")
    classes.close()
    volume = f"volume dflab-work-{lab.session_id}"
    engine = docker.from_env()
    try:
        assert cli("class", "collect", "g1").code == 0
        unexported = json.loads(cli("gc", "--yes", "--json").stdout)
        assert volume not in unexported["removed"]  # the class was never exported
        assert engine.volumes.list(filters={"name": volume.split()[1]})
        assert cli("class", "export", "g1", "--output", str(tmp_path / "out")).code == 0
        dry = json.loads(cli("gc", "--dry-run", "--json").stdout)
        assert volume in dry["would_remove"] and dry["removed"] == []
        plain = json.loads(cli("gc", "--json").stdout)
        assert volume in plain["kept_work"] and volume not in plain["removed"]
        assert engine.volumes.list(filters={"name": volume.split()[1]})
        sure = json.loads(cli("gc", "--yes", "--json").stdout)
        assert volume in sure["removed"]
        assert not engine.volumes.list(filters={"name": volume.split()[1]})
    finally:
        for v in engine.volumes.list(filters={"name": volume.split()[1]}):
            v.remove(force=True)
        engine.close()
