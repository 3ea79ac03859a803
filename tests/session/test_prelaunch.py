"""The early container start reads the scenario through the one reader (issue 9.17) and
never reads evidence that is not a regular file (issue 10.6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import runner.scenario.yamlsrc as yamlsrc
from runner.backends import get_backend
from runner.scenario.loader import load_scenario
from runner.scenario.yamlsrc import load_source
from runner.session.prelaunch import Prelaunch, _early_spec, prelaunch
from runner.session.runtime import build_spec


def test_early_spec_is_the_validated_spec(build, tmp_path: Path):
    path = build.scenario()
    source = load_source(path)
    early, hashes = _early_spec(source, tmp_path / "home", "en")
    loaded = load_scenario(path, source=source)
    assert early == build_spec(tmp_path / "home", early.session_id, loaded, "en")
    assert hashes == [(e.path, e.sha256) for e in loaded.evidence]


def test_profile_beside_the_scenario_is_used_by_early_start_and_loader(build, tmp_path: Path):
    labs = build.root / "labs"
    labs.mkdir()
    (labs / "custom.yaml").write_text("schema_version: 1\nid: custom\nimage: dflab/custom:1\n"
                                      "limits: {memory_mb: 256}\n")
    path = build.scenario(lab="custom")
    early, _ = _early_spec(load_source(path), tmp_path / "home", "en")
    assert (early.profile, early.image, early.limits.memory_mb) == ("custom", "dflab/custom:1", 256)
    assert load_scenario(path).profile.image == "dflab/custom:1"


@pytest.mark.timeout(60)
def test_no_early_start_on_device_evidence(build, tmp_path: Path):
    (build.root / "scenarios" / "zero.pcap").symlink_to("/dev/zero")
    path = build.scenario(evidence=[{"file": "zero.pcap", "sha256": "0" * 64}])
    with pytest.raises(ValueError):
        _early_spec(load_source(path), tmp_path / "home", "en")
    assert prelaunch(load_source(path), tmp_path / "home", "docker", "en") is None


@pytest.mark.timeout(60)
def test_a_hash_of_a_device_ends_and_starts_nothing(build, tmp_path: Path):
    class Backend:
        prepared = False

        def prepare(self, spec: Any) -> None:
            self.prepared = True

    path = build.scenario()
    spec, _ = _early_spec(load_source(path), tmp_path / "home", "en")
    backend = Backend()
    early = Prelaunch(backend, spec, [(Path("/dev/zero"), "0" * 64)])  # type: ignore[arg-type]
    assert early.take(spec) is None and not backend.prepared


def test_start_reads_the_scenario_once(cli, build, monkeypatch):
    path = build.scenario()
    reads: list[Path] = []
    real = yamlsrc.read_text

    def counting(file: Path) -> str:
        reads.append(Path(file))
        return real(file)

    monkeypatch.setattr(yamlsrc, "read_text", counting)
    result = cli("start", str(path), "--backend", "local", "--run", "true", "--remove")
    assert result.code == 0, result.stderr
    assert reads.count(path) == 1


@pytest.mark.docker
def test_start_on_dev_zero_evidence_fails_fast_with_docker(build, home: Path):
    assert get_backend("docker").available(), "the Docker engine is needed for this test"
    (build.root / "scenarios" / "zero.pcap").symlink_to("/dev/zero")
    path = build.scenario(evidence=[{"file": "zero.pcap", "sha256": "0" * 64}])
    env = {**os.environ, "DFLAB_HOME": str(home), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "runner.cli", "start", str(path), "--backend",
                           "docker", "--run", "true"], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 3, done.stderr
    assert "evidence file must be a regular file, not a device" in done.stderr
