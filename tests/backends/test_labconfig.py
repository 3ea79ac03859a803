"""Lab container settings as data: isolation, limits, environment, names."""

from __future__ import annotations

from pathlib import Path

from runner.backends.base import LabSpec, Limits
from runner.backends.labconfig import container_config, lab_env, safe_name, volume_name


def spec(tmp_path: Path, limits: Limits | None = None,
         env: dict[str, str] | None = None) -> LabSpec:
    return LabSpec("s/1 x", "scn", "Title", "network", "img", limits or Limits(),
                   (("cap.pcap", tmp_path / "cap.pcap"),), tmp_path / "run", tmp_path / "work",
                   "seat", env or {})


def test_isolation_settings(tmp_path: Path) -> None:
    cfg = container_config(spec(tmp_path))
    assert cfg["network_mode"] == "none" and cfg["cap_drop"] == ["ALL"]
    assert cfg["security_opt"] == ["no-new-privileges"] and cfg["read_only"] is True
    assert cfg["init"] is True and cfg["user"] == "trainee"
    assert cfg["mem_limit"] == cfg["memswap_limit"] == "512m"
    assert cfg["pids_limit"] == 256 and cfg["nano_cpus"] == 1_000_000_000
    mounts = {m["Target"]: m for m in cfg["mounts"]}
    assert mounts["/evidence/cap.pcap"]["ReadOnly"] is True
    assert mounts["/run/dflab"]["ReadOnly"] is True
    assert mounts["/work"] == {"Target": "/work", "Source": volume_name("s/1 x"),
                               "Type": "volume", "ReadOnly": False}


def test_nonsense_limits_fall_back_to_safe_defaults(tmp_path: Path) -> None:
    cfg = container_config(spec(tmp_path, Limits(memory_mb=0, cpus=-1, pids=0)))
    assert cfg["mem_limit"] == "512m" and cfg["pids_limit"] == 256
    assert cfg["nano_cpus"] == 1_000_000_000


def test_only_harmless_environment_reaches_the_lab(tmp_path: Path) -> None:
    env = lab_env(spec(tmp_path, env={"AWS_SECRET_ACCESS_KEY": "k", "DOCKER_HOST": "x",
                                      "LANG": "uk_UA.UTF-8", "DFLAB_X": "1", "PATH": "/evil"}))
    assert env == {"LANG": "uk_UA.UTF-8", "DFLAB_X": "1", "DFLAB_TITLE": "Title",
                   "DFLAB_SCENARIO": "scn"}


def test_names_are_safe() -> None:
    assert safe_name("a/b c:d") == "a-b-c-d"
    assert volume_name("x") == "dflab-work-x"
