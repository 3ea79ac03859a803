"""The Sleuth Kit's command-line tools run on an image, their output parsed for comparison."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from evidence.kinds.conftest import sh

_FLS = re.compile(
    r"^(?P<type>\S/\S) (?P<del>\* )?(?P<inode>[^:(]+)(?P<realloc>\(realloc\))?:\t(?P<rest>.*)$"
)


@dataclass(frozen=True)
class FlsEntry:
    type: str
    deleted: bool
    realloc: bool
    inode: str  # "38" or, on NTFS, "38-128-1"
    path: str
    mtime: str  # "2019-05-10 20:12:46" or "" (fls prints 0000-00-00 00:00:00)
    atime: str
    ctime: str
    crtime: str
    size: int


def _img(image: Path) -> list[str]:
    return ["-i", "ewf"] if image.suffix.upper() == ".E01" else []


def mmls(image: Path) -> list[tuple[int, int, int, str]]:
    """(slot, start, length, description) of each row mmls prints; [] without a table."""
    import subprocess

    done = subprocess.run(["mmls", *_img(image), str(image)], capture_output=True, check=False)
    rows = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        m = re.match(r"^(\d+):\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$", line)
        if m:
            rows.append((int(m[1]), int(m[2]), int(m[4]), m[5].strip()))
    return rows


def fsstat(image: Path, offset_sectors: int = 0) -> dict[str, str]:
    """fsstat's 'Key: value' lines (first occurrence of each key)."""
    out = sh("fsstat", *_img(image), "-o", str(offset_sectors), str(image)).decode(
        "utf-8", "replace")
    found: dict[str, str] = {}
    for line in out.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key not in found:
            found[key.strip()] = value.strip()
    return found


def fls(image: Path, offset_sectors: int = 0) -> list[FlsEntry]:
    """``fls -r -p -l -z UTC``: every entry, deleted ones included."""
    out = sh("fls", *_img(image), "-o", str(offset_sectors), "-r", "-p", "-l", "-z", "UTC",
             str(image)).decode("utf-8", "replace")
    entries = []
    for line in out.splitlines():
        m = _FLS.match(line)
        assert m, line
        path, mtime, atime, ctime, crtime, size = m["rest"].split("\t")[:6]
        entries.append(FlsEntry(m["type"], bool(m["del"]), bool(m["realloc"]),
                                m["inode"].strip(), path, _t(mtime), _t(atime), _t(ctime),
                                _t(crtime), int(size)))
    return entries


def icat_sha256(image: Path, inode: str, offset_sectors: int = 0) -> str:
    data = sh("icat", *_img(image), "-o", str(offset_sectors), str(image), inode)
    return hashlib.sha256(data).hexdigest()


def _t(text: str) -> str:
    stamp = text.replace(" (UTC)", "")
    return "" if stamp.startswith("0000-00-00") else stamp


def row_key(row: dict[str, object]) -> tuple[str, str]:
    """A disk.files row as fls names it: (inode[-attr], path)."""
    inode = f"{row['inode']}-{row['attr']}" if row["attr"] else str(row["inode"])
    return inode, str(row["path"])


def row_time(value: object) -> str:
    """dflab's ISO time cut to fls's seconds: '2019-05-10 20:12:46'."""
    text = str(value)
    return text[:19].replace("T", " ") if text else ""
