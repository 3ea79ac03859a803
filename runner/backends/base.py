"""The backend seam: where a lab runs (host workspace, Docker container, later Kubernetes).

The session service never knows which backend holds the lab; it asks the
backend to copy a submitted file out safely and that is all. Backends never
see answer keys.
"""

from __future__ import annotations

import tarfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from runner.home import Home

# Inside every lab the session socket lives here and ``lab`` finds it here.
LAB_SOCKET_DIR = "/run/dflab"
LAB_SOCKET_NAME = "lab.sock"
LAB_EVIDENCE_DIR = "/evidence"
LAB_WORK_DIR = "/work"
DEFAULT_ARTIFACT_CAP = 64 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits of a lab, from its profile in ``labs/``."""

    memory_mb: int = 512
    cpus: float = 1.0
    pids: int = 256
    work_mb: int = 1024
    artifact_mb: int = 64


@dataclass(frozen=True)
class LabSpec:
    """Everything a backend needs to create (or find again) one session's lab.

    ``evidence`` pairs the file name inside the lab with the verified host path.
    ``service_dir`` is the host folder holding the session's socket
    (``lab.sock``); backends expose it at :data:`LAB_SOCKET_DIR`.
    ``work_dir`` is the host folder a backend may use for the trainee's /work.
    """

    session_id: str
    scenario_id: str
    title: str
    profile: str
    image: str
    limits: Limits
    evidence: tuple[tuple[str, Path], ...]
    service_dir: Path
    work_dir: Path
    seat: str = ""
    env: dict[str, str] = field(default_factory=dict)
    owner: str = ""  # which dflab home (session store) the lab belongs to, for gc


@dataclass(frozen=True)
class LabHandle:
    """A running (or stopped) lab, as the backend can find it again on resume."""

    backend: str
    session_id: str
    ref: str  # container id, or workspace path for the local backend


class Backend(ABC):
    """A place labs run. Implementations: ``local`` (host workspace), ``docker``."""

    name: ClassVar[str]
    isolated: ClassVar[bool]
    # The user id the lab's processes run as; None: the host user who runs dflab.
    lab_uid: ClassVar[int | None] = None

    @abstractmethod
    def available(self) -> bool:
        """Whether this backend can start labs on this machine now."""

    @abstractmethod
    def prepare(self, spec: LabSpec) -> LabHandle:
        """Create the lab, or adopt the existing one for this session (resume)."""

    @abstractmethod
    def shell(self, handle: LabHandle, spec: LabSpec) -> int:
        """Attach the current terminal to a login shell in the lab; its exit status."""

    @abstractmethod
    def run(self, handle: LabHandle, spec: LabSpec, argv: list[str]) -> tuple[int, str]:
        """Run a command in the lab without a terminal; exit status and output."""

    @abstractmethod
    def fetch(self, handle: LabHandle, lab_path: str, dest_dir: Path, max_bytes: int) -> Path:
        """Copy one regular file from the lab's /work to ``dest_dir``.

        Refuses symlinks, hard links, devices, anything outside /work and
        anything over ``max_bytes`` with :class:`runner.errors.RefusedError`.
        """

    @abstractmethod
    def is_running(self, handle: LabHandle) -> bool:
        """Whether the lab still exists and can be attached to."""

    @abstractmethod
    def stop(self, handle: LabHandle, *, remove_work: bool = True) -> None:
        """Stop the lab and remove what the backend created for it."""

    def archive_work(self, handle: LabHandle, spec: LabSpec, target: Path) -> bool:
        """Write the lab's work folder as ``target`` (tar.gz); False when it is gone.
        This default archives the host folder ``spec.work_dir`` (symlinks as links)."""
        if not spec.work_dir.is_dir():
            return False
        with tarfile.open(target, "w:gz") as tar:
            tar.add(spec.work_dir, arcname="work")
        return True

    def work_usage(self, handle: LabHandle) -> int | None:
        """Bytes the trainee's /work holds now (None: this backend cannot tell)."""
        return None

    def evidence_paths(self, handle: LabHandle, spec: LabSpec) -> dict[str, Path]:
        """Host paths whose hashes show the evidence the lab actually sees."""
        return dict(spec.evidence)

    def pause(self, handle: LabHandle) -> bool:
        """Freeze the lab's processes; False when this backend cannot (the seat's flag in
        the store still refuses answers). Callers go through ``Running.pause``, which
        owns the freeze (see :mod:`runner.session.runtime`)."""
        return False

    def unpause(self, handle: LabHandle) -> bool:
        """Thaw a lab frozen by :meth:`pause`; False when there was nothing to thaw."""
        return False

    def close(self) -> None:
        """Release what this backend object holds open (an engine connection); idempotent."""
        return

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def gc(self, home: Home, keep: frozenset[str] = frozenset(), *,
           dry_run: bool = False, work: bool = True,
           keep_work: frozenset[str] = frozenset()) -> list[str]:
        """Remove what this backend left behind for the dflab ``home``, except labs of the
        sessions in ``keep`` (the active ones); labs of other homes are never touched.
        A trainee's work (``volume ...``) goes only with ``work``, never for sessions in
        ``keep_work``. Names of what was (with ``dry_run``: would be) removed."""
        return []
