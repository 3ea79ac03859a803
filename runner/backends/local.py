"""The local backend: a per-session workspace on the host, for machines without Docker.

It is not isolated, and says so: the trainee's shell runs as the same user as
dflab. Evidence is copied in read-only and hashed at start and stop, so an
accidental change is still caught.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from runner.backends.base import LAB_SOCKET_NAME, LAB_WORK_DIR, Backend, LabHandle, LabSpec
from runner.backends.copyout import copy_host_file
from runner.digest import open_regular
from runner.errors import BackendError

if TYPE_CHECKING:
    from runner.home import Home

RC_TEMPLATE = """\
[ -f ~/.bashrc ] && . ~/.bashrc
{limits}
export PATH="{bin}:$PATH"
export DFLAB_SOCKET="{socket}" EVIDENCE="{evidence}" WORK="{work}"
PS1='[lab:{short}] \\w \\$ '
lab welcome --local
"""


class LocalBackend(Backend):
    name: ClassVar[str] = "local"
    isolated: ClassVar[bool] = False

    def available(self) -> bool:
        return True

    def prepare(self, spec: LabSpec) -> LabHandle:
        root = spec.work_dir.parent
        evidence_dir = root / "evidence"
        spec.work_dir.mkdir(parents=True, exist_ok=True)
        evidence_dir.mkdir(parents=True, exist_ok=True)
        for name, source in spec.evidence:
            target = evidence_dir / name
            if not target.exists():  # a device or FIFO swapped in is refused, never copied
                with open_regular(source, what="evidence file") as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                target.chmod(0o444)
        evidence_dir.chmod(0o555)
        bin_dir = root / "bin"
        bin_dir.mkdir(exist_ok=True)
        client = Path(__file__).resolve().parent.parent / "session" / "labclient.py"
        wrapper = bin_dir / "lab"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{client}" "$@"\n')
        wrapper.chmod(0o755)
        short = spec.scenario_id[:20]
        (root / "bashrc").write_text(RC_TEMPLATE.format(
            bin=bin_dir, socket=spec.service_dir / LAB_SOCKET_NAME, evidence=evidence_dir,
            work=spec.work_dir, short=short, title=spec.title.replace('"', "'"),
            limits=_ulimits(spec)))
        return LabHandle(self.name, spec.session_id, str(root))

    def _env(self, handle: LabHandle, spec: LabSpec) -> dict[str, str]:
        root = Path(handle.ref)
        env = dict(os.environ)
        env.update(spec.env)
        env["PATH"] = f"{root / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
        env["DFLAB_SOCKET"] = str(spec.service_dir / LAB_SOCKET_NAME)
        env["EVIDENCE"] = str(root / "evidence")
        env["WORK"] = str(spec.work_dir)
        return env

    def shell(self, handle: LabHandle, spec: LabSpec) -> int:
        root = Path(handle.ref)
        shell = shutil.which("bash")
        if shell is None:
            raise BackendError("bash is not installed", fix="install bash, or use --backend docker")
        return subprocess.call([shell, "--rcfile", str(root / "bashrc"), "-i"],
                               cwd=spec.work_dir, env=self._env(handle, spec))

    def run(self, handle: LabHandle, spec: LabSpec, argv: list[str]) -> tuple[int, str]:
        argv = ["sh", "-c", f'{_ulimits(spec)}; exec "$@"', "lab", *argv]
        proc = subprocess.run(argv, cwd=spec.work_dir, env=self._env(handle, spec),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace", check=False)
        return proc.returncode, proc.stdout

    def fetch(self, handle: LabHandle, lab_path: str, dest_dir: Path, max_bytes: int) -> Path:
        work = (Path(handle.ref) / "work").resolve()
        return copy_host_file(work, _to_host(lab_path, work), dest_dir, max_bytes, lab_path,
                              LAB_WORK_DIR)

    def is_running(self, handle: LabHandle) -> bool:
        return Path(handle.ref).is_dir()

    def stop(self, handle: LabHandle, *, remove_work: bool = True) -> None:
        root = Path(handle.ref)
        if remove_work and root.is_dir():
            _remove_tree(root)

    def evidence_paths(self, handle: LabHandle, spec: LabSpec) -> dict[str, Path]:
        return {name: Path(handle.ref) / "evidence" / name for name, _ in spec.evidence}

    def gc(self, home: Home, keep: frozenset[str] = frozenset(), *,
           dry_run: bool = False, work: bool = True,
           keep_work: frozenset[str] = frozenset()) -> list[str]:
        """Lab folders (workspace, /work, evidence copy) of sessions not in ``keep``; each
        holds a trainee's work (``work PATH``), so goes only with ``work``."""
        removed = []
        for child in sorted(home.labs.glob("*")) if home.labs.is_dir() else []:
            if child.name in keep or child.name in keep_work or not work:
                continue
            if not dry_run:
                _remove_tree(child)
            removed.append(f"work {child}")
        return removed


def _remove_tree(root: Path) -> None:
    if (root / "evidence").is_dir():  # local labs keep their evidence copy read-only
        (root / "evidence").chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)


def _ulimits(spec: LabSpec) -> str:
    """The profile limits a shell can apply to itself without privileges: the largest
    file a lab command may write (the work quota) and no core dumps. Memory and
    process limits need the Docker backend."""
    return f"ulimit -f {spec.limits.work_mb * 1024} 2>/dev/null; ulimit -c 0 2>/dev/null"


def _to_host(lab_path: str, work: Path) -> str:
    # Trainees may type the container-style path (/work/x) in a local lab too.
    if lab_path == LAB_WORK_DIR or lab_path.startswith(LAB_WORK_DIR + "/"):
        return str(work) + lab_path[len(LAB_WORK_DIR):]
    return lab_path if os.path.isabs(lab_path) else str(work / lab_path)
