"""Every file and directory of a file system, deleted ones included, as ``fls -r -p`` lists them.

The walk is breadth-last, depth-first like TSK's own directory walk, and guards
against damaged file systems the same way: a directory is not entered again while
it is one of its own ancestors (a looping directory), depth and entry counts are
capped, and a directory that cannot be read is a warning, not the end of the walk.
Contents are hashed (SHA-256) as ``icat`` would print them; the clusters of
allocated files are remembered so the carver can tell unallocated space apart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytsk3

from runner.evidence.disk.image import DiskImage, Volume
from runner.evidence.disk.times import iso

MAX_DEPTH = 256
MAX_ENTRIES = 5_000_000
_CHUNK = 1 << 20
# TSK's letters for name and metadata types (tsk_fs_name_type_str / tsk_fs_meta_type_str).
_NAME_LETTERS = "-pcdbrlshwvV"
_META_LETTERS = "-rdpcblhswvV"
_REG = int(pytsk3.TSK_FS_META_TYPE_REG)
_DIR = int(pytsk3.TSK_FS_META_TYPE_DIR)
_VDIR = int(pytsk3.TSK_FS_META_TYPE_VIRT_DIR)
_NAME_UNALLOC = int(pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
_META_ALLOC = int(pytsk3.TSK_FS_META_FLAG_ALLOC)
_SKIP_RUN = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE)


@dataclass
class Walked:
    """A volume's entries (rows of ``disk.files``) and the blocks allocated files use."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    used: list[tuple[int, int]] = field(default_factory=list)  # (first block, count)


def walk_volume(image: DiskImage, vol: Volume) -> Walked:
    """The volume's entries, computed once and kept on the volume."""
    if vol.walked is None:
        vol.walked = _walk(image, vol)
    result: Walked = vol.walked
    return result


def _walk(image: DiskImage, vol: Volume) -> Walked:
    out = Walked()
    root = int(vol.fs.info.root_inum)
    stack: list[tuple[int, str, tuple[int, ...]]] = [(root, "", (root,))]
    while stack:
        inode, prefix, ancestors = stack.pop()
        children = _list_dir(image, vol, inode, prefix, out)
        for entry, row in reversed(children):
            addr = row["inode"]
            if not row["dir"] or entry is None:
                continue
            if addr in ancestors:
                image.warn(f"{image.name}: offset {vol.offset}: volume {vol.index}: directory "
                           f"{row['path']!r} (inode {addr}) loops back to an ancestor; "
                           "not entered again")
            elif len(ancestors) >= MAX_DEPTH:
                image.warn(f"{image.name}: volume {vol.index}: {row['path']!r} is nested "
                           f"deeper than {MAX_DEPTH} directories; not entered")
            else:
                stack.append((addr, row["path"] + "/", (*ancestors, addr)))
        if len(out.rows) >= MAX_ENTRIES:
            image.warn(f"{image.name}: volume {vol.index}: more than {MAX_ENTRIES} entries; "
                       "the rest are not listed")
            break
    return out


def _list_dir(image: DiskImage, vol: Volume, inode: int, prefix: str,
              out: Walked) -> list[tuple[Any, dict[str, Any]]]:
    """The entries of one directory, appended to ``out.rows`` in directory order."""
    try:
        directory = vol.fs.open_dir(inode=inode)
    except OSError as exc:
        image.warn(f"{image.name}: volume {vol.index}: directory {prefix or '/'!r} "
                   f"(inode {inode}) cannot be read: {_first_line(exc)}")
        return []
    children = []
    try:
        for entry in directory:
            name = entry.info.name.name.decode("utf-8", "replace")
            if name in (".", ".."):
                continue
            row = _row(image, vol, entry, prefix + name, name, out)
            out.rows.append(row)
            children.append((entry, row))
    except OSError as exc:
        image.warn(f"{image.name}: volume {vol.index}: directory {prefix or '/'!r} "
                   f"(inode {inode}) is damaged part way: {_first_line(exc)}")
    return children


def _row(image: DiskImage, vol: Volume, entry: Any, path: str, name: str,
         out: Walked) -> dict[str, Any]:
    info = entry.info
    meta = info.meta
    name_type = int(info.name.type)
    meta_type = int(meta.type) if meta is not None else 0
    deleted = bool(int(info.name.flags) & _NAME_UNALLOC)
    meta_alloc = meta is not None and bool(int(meta.flags) & _META_ALLOC)
    is_dir = meta_type in (_DIR, _VDIR) if meta is not None else name_type in (3, 11)
    row: dict[str, Any] = {
        "volume": vol.index,
        "path": path,
        "name": name,
        "inode": int(info.name.meta_addr),
        "type": f"{_NAME_LETTERS[name_type]}/{_META_LETTERS[meta_type]}",
        "dir": is_dir,
        "allocated": not deleted,
        "deleted": deleted,
        "realloc": deleted and meta_alloc,
        "size": int(meta.size) if meta is not None else 0,
        "mtime": iso(meta, "mtime"),
        "atime": iso(meta, "atime"),
        "ctime": iso(meta, "ctime"),
        "crtime": iso(meta, "crtime"),
        "sha256": "",
    }
    if meta is not None and meta_type == _REG:
        row["sha256"] = _hash(image, vol, entry, row)
    if not deleted and meta_alloc:
        _note_runs(entry, out)
    return row


def _hash(image: DiskImage, vol: Volume, entry: Any, row: dict[str, Any]) -> str:
    """SHA-256 of the default data, as icat prints it; '' when it cannot be read."""
    digest = hashlib.sha256()
    size = row["size"]
    offset = 0
    try:
        while offset < size:
            chunk = entry.read_random(offset, min(_CHUNK, size - offset))
            if not chunk:
                break
            digest.update(chunk)
            offset += len(chunk)
    except OSError as exc:
        image.warn(f"{image.name}: volume {vol.index}: {row['path']!r} (inode {row['inode']}): "
                   f"content unreadable after {offset} of {size} bytes: {_first_line(exc)}")
        return ""
    return digest.hexdigest()


def _note_runs(entry: Any, out: Walked) -> None:
    try:
        for attr in entry:
            for run in attr:
                if not int(run.flags) & _SKIP_RUN and run.len:
                    out.used.append((int(run.addr), int(run.len)))
    except OSError:
        return  # damaged attributes: the content warning (if any) already says so


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
