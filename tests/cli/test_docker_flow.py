"""The trainee's flow in a real Docker lab: answer, submit, keys absent, kill and resume.

These need an engine and the lab image (built on first use by ``dflab start``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import docker
import pytest

from runner.backends import images
from runner.session.store import Store

pytestmark = pytest.mark.docker


def dflab(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "runner.cli", *args], capture_output=True,
                          text=True, env=env, timeout=timeout, check=False)


@pytest.fixture
def secret_scenario(build):
    """A scenario whose keys are unique tokens we can search the container for."""
    secret = f"SECRET-{uuid.uuid4().hex}"
    artifact = build.evidence("ref.bin", b"carve me\n")
    import hashlib

    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    artifact.unlink()
    tasks = [
        {"id": "word", "question": "Type the secret.", "points": 10,
         "answer": {"type": "text", "expected": secret}, "solution": secret},
        {"id": "carve", "question": "Write 'carve me' into /work/out.bin and submit it.",
         "points": 10, "answer": {"type": "artifact", "expected": digest, "max_size": 100}},
    ]
    path = build.scenario(tasks=tasks)
    (build.root / "scenarios" / "notes.txt").chmod(0o644)
    return path, secret, digest


@pytest.fixture
def engine():
    client = docker.from_env()
    yield client
    for container in client.containers.list(all=True, filters={"label": "dflab.managed=1"}):
        if container.labels.get("dflab.scenario") == "mini-case":
            container.remove(force=True)
    client.close()


def test_answer_and_submit_inside_the_container(secret_scenario, home, engine):
    path, secret, _ = secret_scenario
    script = (
        f"lab answer word {secret}; printf 'carve me\\n' > /work/out.bin; "
        "ln -s /etc/passwd /work/pw; lab submit carve /work/pw; "
        "lab submit carve /work/../etc/passwd; head -c 70000000 /dev/zero > /work/big; "
        "lab submit carve /work/big; lab submit carve /work/out.bin; lab score; id -un"
    )
    result = dflab(home, "start", str(path), "--backend", "docker", "--run", script, "--remove")
    out = result.stdout
    assert result.returncode == 0, result.stderr + out
    assert "CORRECT" in out and "task carve: 10/10 points" in out
    refusals = [line for line in out.splitlines() if line.startswith("lab: ")]
    assert len(refusals) == 3, out
    assert "/work/pw" in refusals[0] and "symbolic link" in refusals[0]
    assert "/etc/passwd" in refusals[1] and "only files under /work" in refusals[1]
    assert "/work/big" in refusals[2] and "limit" in refusals[2]
    assert "Score: 20/20" in out
    assert out.strip().endswith("trainee")


def test_answer_keys_are_nowhere_in_the_container(secret_scenario, home, engine):
    path, secret, digest = secret_scenario
    result = dflab(home, "start", str(path), "--backend", "docker", "--keep", "--run",
                   "grep -rIl --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev "
                   f"-e {secret} -e {digest} / 2>/dev/null; echo searched; ps auxww; env")
    assert result.returncode == 0, result.stderr
    assert "searched" in result.stdout
    assert secret not in result.stdout.replace(f"-e {secret}", "")
    assert digest not in result.stdout.replace(f"-e {digest}", "")
    (row,) = Store(home / "sessions.db").sessions()
    container = engine.containers.get(row.lab_ref)
    attrs = json.dumps(container.attrs)
    assert secret not in attrs and digest not in attrs
    assert str(path) not in attrs  # the scenario file is not mounted
    assert all(m["Destination"] in ("/evidence/notes.txt", "/run/dflab", "/work")
               for m in container.attrs["Mounts"])
    assert dflab(home, "stop", row.id, "--yes").returncode == 0


def test_ukrainian_lab_in_docker_and_its_work_archived_at_stop(secret_scenario, home, engine):
    """The catalogue reaches the image (/opt/dflab/labtext.py) and the lab speaks the
    session's language; 'dflab stop --yes' keeps the container's /work as a tar.gz."""
    path, _, _ = secret_scenario
    images.build_images(["network"])  # this tree's client and catalogue, not a stale image
    result = dflab(home, "start", str(path), "--backend", "docker", "--lang", "uk", "--keep",
                   "--run", "lab tasks; lab answer nosuch x; echo знахідка > /work/f.txt")
    assert result.returncode == 0, result.stderr
    assert "✔ розв'язано" in result.stdout
    assert "lab: завдання 'nosuch' немає (виправлення: 'lab tasks' показує всі" in result.stdout
    (row,) = Store(home / "sessions.db").sessions()
    stopped = dflab(home, "stop", row.id, "--yes")
    assert stopped.returncode == 0, stopped.stderr
    archive = home / "archives" / f"{row.id}-work.tar.gz"
    assert str(archive) in stopped.stderr
    with tarfile.open(archive) as tar:
        member = tar.extractfile("work/f.txt")
        assert member is not None and member.read() == "знахідка\n".encode()
    assert _labs_of(engine, home) == []


def test_killed_runner_resumes_the_same_container(secret_scenario, home, engine):
    path, secret, _ = secret_scenario
    env = {**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "runner.cli", "start", str(path), "--backend", "docker", "--run",
         f"lab answer word {secret} && echo kept > /work/notes.txt && sleep 120"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store_path = home / "sessions.db"
    deadline = time.time() + 300
    attempts: list = []
    while time.time() < deadline and not attempts:
        time.sleep(0.5)
        if store_path.exists():
            store = Store(store_path)
            rows = store.sessions()
            attempts = store.attempts(rows[0].id) if rows else []
            store.close()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert [a.status for a in attempts] == ["correct"]
    (row,) = Store(store_path).sessions()
    resumed = dflab(home, "resume", "--run", "cat /work/notes.txt; lab score", "--remove")
    assert resumed.returncode == 0, resumed.stderr
    assert "kept" in resumed.stdout and "Score: 10/20" in resumed.stdout
    events = [e["kind"] for e in Store(store_path).events(row.id)]
    assert "resumed" in events
    assert Store(store_path).session(row.id).lab_ref == row.lab_ref  # the same container


def test_tampered_evidence_is_detected_at_stop(secret_scenario, home, build, engine):
    path, _, _ = secret_scenario
    assert dflab(home, "start", str(path), "--backend", "docker", "--keep", "--run",
                 "true").returncode == 0
    (build.root / "scenarios" / "notes.txt").write_bytes(b"altered on the host\n")
    (row,) = Store(home / "sessions.db").sessions()
    stopped = dflab(home, "stop", row.id, "--yes")
    assert stopped.returncode == 5
    assert "CHANGED during the session" in dflab(home, "report", row.id).stdout


def _labs_of(engine, home: Path) -> list:
    from runner.session.labspec import home_owner

    return engine.containers.list(all=True, filters={"label": f"dflab.home={home_owner(home)}"})


def test_early_start_is_used_once_and_removed_when_the_scenario_is_invalid(
        secret_scenario, home, build, engine):
    path, _, _ = secret_scenario
    started = dflab(home, "start", str(path), "--backend", "docker", "--keep", "--run", "true")
    assert started.returncode == 0, started.stderr
    (row,) = Store(home / "sessions.db").sessions()
    (lab,) = _labs_of(engine, home)  # exactly one container, and it is the session's
    assert lab.id == row.lab_ref and lab.labels["dflab.session"] == row.id
    assert dflab(home, "stop", row.id, "--yes").returncode == 0
    # Valid raw YAML, invalid scenario: the early container must not survive.
    path.write_text(path.read_text() + "colour: blue\n")
    failed = dflab(home, "start", str(path), "--backend", "docker", "--run", "true")
    assert failed.returncode == 3 and "unknown key 'colour'" in failed.stderr
    assert _labs_of(engine, home) == []
    # Tampered evidence: nothing is created at all.
    path.write_text(path.read_text().replace("colour: blue\n", ""))
    (build.root / "scenarios" / "notes.txt").write_bytes(b"tampered\n")
    refused = dflab(home, "start", str(path), "--backend", "docker", "--run", "true")
    assert refused.returncode == 3 and "SHA-256" in refused.stderr
    assert _labs_of(engine, home) == []
