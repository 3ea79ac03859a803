"""The dflab home: the one owner of its layout, its permissions and its stores.

Everything dflab writes lives under one folder (``--home``, ``DFLAB_HOME`` or
the XDG data folder)::

    sessions.db      sessions, attempts, keys, classes (answer keys, password hashes)
    labs/ID/         a lab's host side: local workspace, /work, freeze lock
    run/ID/lab.sock  a lab's session socket (bind-mounted into the lab)
    artifacts/ID/    files trainees submitted
    cache/           evidence facts, keyed by capture hash
    classroom/       the SSH gateway's host key
    archives/        ID-work.tar.gz: a lab's /work, kept when dflab deletes the lab
    reports/         ID.html: HTML reports written without --output

The home holds answer keys and password hashes, so it is private to its owner
(0700) and the database files are 0600. Code elsewhere asks a :class:`Home`
for a path or a store instead of joining names itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runner.backends.base import LAB_SOCKET_NAME
from runner.errors import BackendError, StoreError
from runner.paths import dflab_home

if TYPE_CHECKING:
    from runner.classroom.store import ClassStore
    from runner.session.store import Store

DB_NAME = "sessions.db"
MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux; keep a margin
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class Home:
    """One dflab home folder. Cheap to make: paths are computed, nothing is created
    until a store is opened or :meth:`ensure` is called."""

    root: Path

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, override: str | None = None) -> Home:
        """``override`` (the ``--home`` option) wins, then ``DFLAB_HOME``, then XDG."""
        if override:
            return cls(Path(override).expanduser().resolve())
        return cls(dflab_home(env))

    # -- layout -----------------------------------------------------------------------

    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def labs(self) -> Path:
        return self.root / "labs"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts"

    @property
    def classroom(self) -> Path:
        return self.root / "classroom"

    @property
    def archives(self) -> Path:
        return self.root / "archives"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def work_archive(self, session_id: str) -> Path:
        """The archive of a session's work folder, kept when dflab deletes the lab."""
        return self.archives / f"{session_id}-work.tar.gz"

    def lab_dir(self, session_id: str) -> Path:
        return self.labs / session_id

    def work_dir(self, session_id: str) -> Path:
        return self.lab_dir(session_id) / "work"

    def artifact_dir(self, session_id: str) -> Path:
        return self.artifacts / session_id

    @property
    def variants(self) -> Path:
        return self.root / "variants"

    def variant_dir(self, session_id: str) -> Path:
        """Where a session's generated evidence (and its variant.json) is written."""
        return self.variants / session_id

    def freeze_lock(self, session_id: str) -> Path:
        """The lock file that makes pausing a lab one owner's business (see Running)."""
        return self.lab_dir(session_id) / "freeze.lock"

    def service_dir(self, session_id: str) -> Path:
        """Folder of a lab's socket; a private per-user folder when the home is too deep
        for a Unix socket path."""
        preferred = self.run / session_id
        if len(str(preferred / LAB_SOCKET_NAME)) <= MAX_SOCKET_PATH:
            return preferred
        return short_socket_root() / f"{self.owner[:8]}-{session_id}"

    @property
    def owner(self) -> str:
        """A stable tag of this home, so 'dflab gc' leaves other homes' labs alone."""
        return hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:16]

    # -- creating and opening -----------------------------------------------------------

    def ensure(self) -> Path:
        """Create the home (0700) or tighten an existing one that we own."""
        try:
            self.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
            info = self.root.stat()
            if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
                self.root.chmod(PRIVATE_DIR)
        except OSError as exc:
            raise StoreError(f"cannot create the dflab home: {exc.strerror or exc}",
                             where=str(self.root),
                             fix="choose another folder with --home or DFLAB_HOME") from None
        return self.root

    def private_dir(self, path: Path) -> Path:
        """Create ``path`` under the home, private to its owner."""
        self.ensure()
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        return path

    def store(self) -> Store:
        """The session store, opened; use it as a context manager (``with home.store()``)."""
        from runner.session.store import Store

        self.ensure()
        return Store(self.db)

    def classes(self) -> ClassStore:
        """The class tables over a fresh store connection; a context manager too."""
        from runner.classroom.store import ClassStore

        return ClassStore(self.store())


def short_socket_root() -> Path:
    """A per-user private folder for socket paths too long under the home.

    ``XDG_RUNTIME_DIR`` when the system provides one (it is per-user and 0700),
    else ``dflab-UID`` in the temporary folder, created 0700 and refused when it
    exists but is not a folder we own with no access for others: a name other
    users can predict must not be one they can prepare.
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
    folder = base / f"dflab-{os.getuid()}"
    try:
        with contextlib.suppress(FileExistsError):  # whatever is there is checked below
            folder.mkdir(mode=PRIVATE_DIR)
        info = os.lstat(folder)
    except OSError as exc:
        raise BackendError(f"cannot create the socket folder {folder}: {exc.strerror or exc}",
                           fix="set DFLAB_HOME to a shorter folder") from None
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
            or stat.S_IMODE(info.st_mode) & 0o077):
        raise BackendError(f"{folder} is not a private folder of this user (owner, mode or "
                           "link), so it cannot hold lab sockets",
                           fix=f"remove {folder}, or set DFLAB_HOME to a shorter folder")
    return folder


def socket_dir(folder: Path, lab_uid: int | None) -> Path:
    """Create a lab's socket folder so that only the lab's user (and the host user
    serving it) can reach the socket.

    ``lab_uid`` is the user the lab runs as (None: the host user, as in a local
    lab). The folder is 0700 and owned by that user when dflab may hand it over
    (it runs as root, or as that very uid). Otherwise the folder keeps only the
    traverse bit for others, and its parent (the 0700 home, or the private socket
    folder) is what keeps other host users out; the lab sees the folder itself.
    """
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if lab_uid is None or lab_uid == os.getuid():
        folder.chmod(PRIVATE_DIR)
        return folder
    try:
        os.chown(folder, lab_uid, -1)
        folder.chmod(PRIVATE_DIR)
    except PermissionError:
        folder.chmod(0o711)
    return folder


def secure_socket(path: Path, lab_uid: int | None) -> None:
    """Give a freshly bound socket to the lab's user alone (see :func:`socket_dir`)."""
    if lab_uid is None or lab_uid == os.getuid():
        path.chmod(PRIVATE_FILE)
        return
    try:
        os.chown(path, lab_uid, -1)
        path.chmod(PRIVATE_FILE)
    except PermissionError:
        path.chmod(0o666)  # the folder's parent keeps other host users out


def secure_file(path: Path) -> None:
    """Create ``path`` if missing, and make it readable by its owner only.

    An existing file is only chmod-ed by name, never opened: closing any descriptor
    of a database file drops every POSIX lock SQLite holds on it in this process.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0),
                     PRIVATE_FILE)
    except FileExistsError:
        if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
            path.chmod(PRIVATE_FILE)
        return
    os.close(fd)


__all__ = ["DB_NAME", "Home", "secure_file", "secure_socket", "short_socket_root", "socket_dir"]
