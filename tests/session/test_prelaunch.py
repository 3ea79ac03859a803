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
from runner.session.prelaunch import Prelaunch, _early_spec, _placeholders, prelaunch
from runner.session.runtime import build_spec


def test_early_spec_is_the_validated_spec(build, tmp_path: Path):
    path = build.scenario()
    source = load_source(path)
    early, hashes, generated = _early_spec(source, tmp_path / "home", "en")
    assert generated == {}
    loaded = load_scenario(path, source=source)
    assert early == build_spec(tmp_path / "home", early.session_id, loaded, "en")
    assert hashes == [(e.path, e.sha256) for e in loaded.evidence]


def test_profile_beside_the_scenario_is_used_by_early_start_and_loader(build, tmp_path: Path):
    labs = build.root / "labs"
    labs.mkdir()
    (labs / "custom.yaml").write_text("schema_version: 1\nid: custom\nimage: dflab/custom:1\n"
                                      "limits: {memory_mb: 256}\n")
    path = build.scenario(lab="custom")
    early, _, _ = _early_spec(load_source(path), tmp_path / "home", "en")
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
    spec, _, _ = _early_spec(load_source(path), tmp_path / "home", "en")
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


@pytest.mark.docker
@pytest.mark.timeout(300)
def test_a_generated_scenario_starts_its_container_while_the_variant_is_made(
        cli: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The early lab mounts placeholders; the variant, made meanwhile, is written into them
    and verified, so the lab the trainee enters holds exactly the variant's files."""
    import json

    import runner.session.prelaunch as prelaunch_module

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "icmp-exfil.yaml"
    taken: list[object] = []
    real_take = prelaunch_module.Prelaunch.take

    def spy(self: Prelaunch, spec: Any) -> Any:
        handle = real_take(self, spec)
        taken.append(handle)
        return handle

    monkeypatch.setattr(prelaunch_module.Prelaunch, "take", spy)
    started = cli("start", str(scenario), "--backend", "docker", "--seed", "7", "--run",
                  "sha256sum /evidence/*; touch /evidence/x 2>&1 || echo read-only",
                  "--remove")
    assert started.code == 0, started.stderr
    assert len(taken) == 1 and taken[0] is not None  # the early lab was the session's
    out = tmp_path / "v7"
    assert cli("variant", str(scenario), "--seed", "7", "--out", str(out), "--json").code == 0
    record = json.loads((out / "variant.json").read_text(encoding="utf-8"))
    (digests,) = [run["sha256"] for run in record["runs"].values()]
    for name, digest in digests.items():
        assert f"{digest}  /evidence/{name}" in started.stdout
    assert "read-only" in started.stdout


def test_a_filled_placeholder_that_does_not_match_drops_the_early_lab(tmp_path: Path) -> None:
    class Backend:
        def prepare(self, spec: Any) -> str:
            return "lab"

        def stop(self, handle: Any, remove_work: bool) -> None:
            pass

    target = tmp_path / "v" / "cap.pcap"
    placeholders = prelaunch_module_placeholders({"cap.pcap": target})
    finished = tmp_path / "finished.pcap"
    finished.write_bytes(b"variant bytes")
    from types import SimpleNamespace

    spec = SimpleNamespace(session_id="s1")
    early = Prelaunch(Backend(), spec, [], placeholders)  # type: ignore[arg-type]
    assert early.fill([("cap.pcap", finished, "0" * 64)]) is False
    assert early.take(spec) is None  # type: ignore[arg-type]
    good = Prelaunch(Backend(), spec, [],  # type: ignore[arg-type]
                     prelaunch_module_placeholders({"cap.pcap": tmp_path / "w" / "cap.pcap"}))
    import hashlib

    assert good.fill([("cap.pcap", finished,
                       hashlib.sha256(b"variant bytes").hexdigest())]) is True
    assert (tmp_path / "w" / "cap.pcap").read_bytes() == b"variant bytes"
    assert good.take(spec) == "lab"  # type: ignore[arg-type]


def prelaunch_module_placeholders(generated: dict[str, Path]) -> dict[str, int]:
    return _placeholders(generated)


@pytest.mark.docker
@pytest.mark.timeout(300)
def test_a_scenario_failing_validation_leaves_no_placeholder_behind(
        cli: Any, home: Path, tmp_path: Path) -> None:
    import shutil

    root = Path(__file__).resolve().parents[2]
    (tmp_path / "scenarios" / "stories").mkdir(parents=True)
    shutil.copytree(root / "labs", tmp_path / "labs")
    shutil.copy(root / "scenarios" / "stories" / "icmp-exfil.yaml",
                tmp_path / "scenarios" / "stories")
    text = (root / "scenarios" / "icmp-exfil.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "scenarios" / "icmp-exfil.yaml"
    broken.write_text(text.replace("type: hash", "type: hashh", 1), encoding="utf-8")
    result = cli("start", str(broken), "--backend", "docker", "--run", "true")
    assert result.code != 0 and "hashh" in result.stderr
    variants = home / "variants"
    assert not variants.exists() or list(variants.iterdir()) == []
