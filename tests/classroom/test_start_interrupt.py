"""Ctrl-C (SIGINT) during ``dflab class start`` on Docker: no lab runs unrecorded, and a
second ``class start`` starts the rest.

Needs a Docker engine (marked ``docker``: CI runs these and fails without one).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docker
import pytest
from helpers import CliRunner

from runner.backends import images
from runner.backends.labconfig import LABEL_OWNER, LABEL_SESSION
from runner.home import Home

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parent.parent.parent


def _recorded(home: Path) -> dict[str, str]:
    with Home(home).classes() as classes:
        return {lab.seat: lab.session_id for lab in classes.labs("int") if lab.session_id}


def test_sigint_during_start_leaves_status_matching_what_runs(tmp_path):
    images.build_images(["network"])
    home = tmp_path / "home"
    cli = CliRunner(home)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\n" + "".join(f"s{i},Seat {i}\n" for i in range(5)))
    assert cli("class", "create", "int", "--scenario", "port-scan-triage", "--roster",
               str(roster), "--credentials-out", str(tmp_path / "c.csv")).code == 0
    engine = docker.from_env()
    mine = {"label": [f"{LABEL_OWNER}={Home(home).owner}"]}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "runner.cli", "--home", str(home), "class", "start", "int",
             "--parallel", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        deadline = time.monotonic() + 120
        while not _recorded(home):  # Ctrl-C once the first lab is up
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "interrupted" in err and "'dflab class start int' starts the rest" in err
        recorded = _recorded(home)
        assert 1 <= len(recorded) < 5
        running = {c.labels[LABEL_SESSION] for c in engine.containers.list(filters=mine)}
        assert running == set(recorded.values())  # nothing runs that status does not show
        status = json.loads(cli("class", "status", "int", "--json").stdout)
        states = {s["seat"]: s["status"] for s in status["seats"]}
        assert {seat for seat, state in states.items() if state == "running"} == set(recorded)
        again = cli("class", "start", "int", "--parallel", "3", "--json")
        assert again.code == 0, again.stderr
        assert len(_recorded(home)) == 5
        assert len(engine.containers.list(filters=mine)) == 5
    finally:
        for container in engine.containers.list(all=True, filters=mine):
            container.remove(force=True)
        for volume in engine.volumes.list(filters=mine):
            volume.remove(force=True)
        engine.close()
