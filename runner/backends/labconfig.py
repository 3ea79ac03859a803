"""What a lab container is made of: names, labels, environment and every isolation setting.

Kept apart from :mod:`runner.backends.docker` (the only module that imports the
Docker SDK) so the settings can be read, reviewed and unit-tested as data.
Mounts are given in the engine API's own form (``HostConfig.Mounts``).
"""

from __future__ import annotations

import re
from typing import Any

from runner.backends.base import (
    LAB_EVIDENCE_DIR,
    LAB_SOCKET_DIR,
    LAB_WORK_DIR,
    LabSpec,
    Limits,
)
from runner.errors import BackendError
from runner.home import socket_dir

LABEL_MANAGED = "dflab.managed"
LABEL_SESSION = "dflab.session"
LABEL_SCENARIO = "dflab.scenario"
LABEL_SEAT = "dflab.seat"
LABEL_OWNER = "dflab.home"
LAB_USER = "trainee"
LAB_HOME = "/home/trainee"
LAB_UID = 1000  # the image's "trainee" user (images/*/Dockerfile)
# Only these variables reach a lab: nothing secret is ever passed in.
_SAFE_ENV = re.compile(r"^(DFLAB_[A-Z0-9_]+|LANG|LC_[A-Z]+|TZ)$")
_DEFAULTS = Limits()


def _mount(target: str, source: str, kind: str, *, read_only: bool = False) -> dict[str, Any]:
    return {"Target": target, "Source": source, "Type": kind, "ReadOnly": read_only}


def safe_name(text: str) -> str:
    """A container/volume name fragment from a session id."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", text)[:64] or "lab"


def container_name(session_id: str) -> str:
    return f"dflab-{safe_name(session_id)}"


def volume_name(session_id: str) -> str:
    return f"dflab-work-{safe_name(session_id)}"


def labels(spec: LabSpec) -> dict[str, str]:
    return {
        LABEL_MANAGED: "1",
        LABEL_SESSION: spec.session_id,
        LABEL_SCENARIO: spec.scenario_id,
        LABEL_SEAT: spec.seat,
        LABEL_OWNER: spec.owner,
    }


def _limits(limits: Limits) -> Limits:
    """The profile's limits, with nonsense (zero, negative) replaced by safe defaults."""
    return Limits(
        memory_mb=limits.memory_mb if limits.memory_mb >= 32 else _DEFAULTS.memory_mb,
        cpus=limits.cpus if limits.cpus > 0 else _DEFAULTS.cpus,
        pids=limits.pids if limits.pids >= 16 else _DEFAULTS.pids,
        work_mb=limits.work_mb if limits.work_mb > 0 else _DEFAULTS.work_mb,
        artifact_mb=limits.artifact_mb if limits.artifact_mb > 0 else _DEFAULTS.artifact_mb,
    )


def lab_env(spec: LabSpec) -> dict[str, str]:
    """The lab's environment: title, scenario id, locale, and safe extras only."""
    env = {k: v for k, v in spec.env.items() if _SAFE_ENV.match(k)}
    env.update({"DFLAB_TITLE": spec.title, "DFLAB_SCENARIO": spec.scenario_id})
    env.setdefault("LANG", "C.UTF-8")
    return env


def container_config(spec: LabSpec) -> dict[str, Any]:
    """Keyword arguments for ``containers.create``: every isolation setting in one place."""
    lim = _limits(spec.limits)
    memory = f"{lim.memory_mb}m"
    tmp_mb = max(16, min(256, lim.memory_mb // 4))
    mounts = [
        _mount(f"{LAB_EVIDENCE_DIR}/{name}", str(path), "bind", read_only=True)
        for name, path in spec.evidence
    ]
    mounts.append(_mount(LAB_WORK_DIR, volume_name(spec.session_id), "volume"))
    # Read-only: the lab may connect to the socket but never plant files beside it.
    mounts.append(_mount(LAB_SOCKET_DIR, str(spec.service_dir), "bind", read_only=True))
    return {
        "image": spec.image,
        "command": ["sleep", "infinity"],
        "name": container_name(spec.session_id),
        "hostname": "lab",
        "user": LAB_USER,
        "working_dir": LAB_WORK_DIR,
        "environment": lab_env(spec),
        "labels": labels(spec),
        "network_mode": "none",
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "read_only": True,
        "tmpfs": {
            "/tmp": f"rw,nosuid,nodev,size={tmp_mb}m,mode=1777",
            LAB_HOME: f"rw,nosuid,nodev,size=64m,uid={LAB_UID},gid={LAB_UID},mode=0700",
        },
        "mem_limit": memory,
        "memswap_limit": memory,
        "nano_cpus": int(lim.cpus * 1e9),
        "pids_limit": lim.pids,
        "init": True,
        "mounts": mounts,
        "detach": True,
        "stop_signal": "SIGKILL",
    }


def check_host_paths(spec: LabSpec) -> None:
    """Fail early, with a fix, on host paths the unprivileged trainee could not use."""
    for name, path in spec.evidence:
        if not path.is_file():
            raise BackendError(f"evidence {name}: {path} is not a file", fix="re-run 'dflab start'")
        if not path.stat().st_mode & 0o004:
            raise BackendError(
                f"evidence {name}: {path} is not readable by the lab user",
                fix=f"chmod o+r {path}",
            )
    # The lab user must reach lab.sock, and nobody else (see runner.home.socket_dir).
    socket_dir(spec.service_dir, LAB_UID)
