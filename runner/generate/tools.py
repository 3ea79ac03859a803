"""What generators share: running an image-building tool reproducibly, and seeded times,
UUIDs and serials.

A generated file must be byte-identical for the same seed, so every tool runs with the
clock pinned (``SOURCE_DATE_EPOCH`` for mtools, ``E2FSPROGS_FAKE_TIME`` for e2fsprogs),
``TZ=UTC`` and the C locale, and every value a tool would draw at random (volume serial,
UUID, hash seed) is drawn from the output's seeded stream and passed in.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from runner.errors import DflabError, InputError

# The Debian package that provides each tool a generator runs (tools/system-packages.txt).
PACKAGES = {
    "mkfs.vfat": "dosfstools", "mcopy": "mtools", "mmd": "mtools", "mdel": "mtools",
    "mlabel": "mtools",
    "ewfacquire": "ewf-tools",
    "mkfs.ext4": "e2fsprogs", "debugfs": "e2fsprogs", "sfdisk": "fdisk",
}


def run_tool(argv: Sequence[str], *, epoch: int, what: str, cwd: Path | None = None) -> str:
    """Run ``argv`` with the clock pinned at ``epoch`` and return what it printed; a missing
    tool or a failure is an error naming the output and the package to install."""
    tool = argv[0]
    if shutil.which(tool) is None and not Path(tool).is_file():
        package = PACKAGES.get(tool, tool)
        raise InputError(f"{what}: the tool '{tool}' is not installed",
                         fix=f"apt-get install {package}")
    env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "TZ": "UTC",
           "LC_ALL": "C", "SOURCE_DATE_EPOCH": str(epoch), "E2FSPROGS_FAKE_TIME": str(epoch),
           "MTOOLS_SKIP_CHECK": "1", "MTOOLS_NO_VFAT": "0"}
    done = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True,
                          errors="replace", check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DflabError(f"{what}: {tool} failed (exit {done.returncode}): "
                         f"{detail[-1] if detail else 'no output'}",
                         fix="report this as a dflab bug with the story and seed")
    return done.stdout


def seeded_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def parse_when(text: str, what: str) -> datetime:
    """An aware UTC datetime from an ISO 8601 parameter (a naive one is read as UTC)."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what}: '{text}' is not an ISO 8601 time",
                         fix="write e.g. 2024-03-14T09:26:53Z") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def times_between(rng: random.Random, start: datetime, hours: float, count: int,
                  even: bool = False) -> list[datetime]:
    """``count`` sorted times in ``[start, start + hours)`` at whole seconds (even seconds
    when ``even``, as FAT stores them)."""
    span = max(1, int(hours * 3600))
    picks = sorted(rng.randrange(span) for _ in range(count))
    step = 2 if even else 1
    return [start + timedelta(seconds=p - p % step) for p in picks]


def iso(moment: datetime) -> str:
    """``2024-03-14T09:26:53Z``: how story values spell a time."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def set_times(path: Path, moment: datetime) -> None:
    """Set a file's access and modification times (before a tool copies it)."""
    stamp = moment.timestamp()
    os.utime(path, (stamp, stamp), follow_symlinks=False)


def sqlite_bytes(schema: str, rows: dict[str, list[tuple[Any, ...]]],
                 deleted: dict[str, str] | None = None) -> bytes:
    """A SQLite database built from ``schema`` and ``rows`` (table -> tuples), then with
    ``deleted`` (table -> WHERE clause) rows deleted *without* secure_delete: their bytes
    stay in the freed cells of their pages, where carving tools find them.

    Rollback-journal mode with no vacuum, built in a temporary file, so the same inputs
    give the same bytes with the same SQLite library.
    """
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dflab-sqlite-") as tmp:
        path = Path(tmp) / "db.sqlite"
        con = sqlite3.connect(path)
        try:
            con.executescript("PRAGMA journal_mode=DELETE; PRAGMA secure_delete=OFF; "
                              "PRAGMA auto_vacuum=NONE;" + schema)
            for table, items in rows.items():
                if items:
                    marks = ",".join("?" * len(items[0]))
                    con.executemany(f"INSERT INTO {table} VALUES ({marks})", items)
            con.commit()
            for table, where in (deleted or {}).items():
                con.execute(f"DELETE FROM {table} WHERE {where}")
            con.commit()
        finally:
            con.close()
        return path.read_bytes()


def tar_bytes(entries: dict[str, bytes], mtime: int) -> bytes:
    """An uncompressed POSIX tar of ``entries`` in the order given, owned by root, dated
    ``mtime``, with their folders listed first."""
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        folders: list[str] = []
        for name in entries:
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth])
                if folder not in folders:
                    folders.append(folder)
        for name in [*folders, *entries]:
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "root", "root"
            if name in entries:
                info.size, info.mode = len(entries[name]), 0o644
                tar.addfile(info, io.BytesIO(entries[name]))
            else:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
    return buf.getvalue()
