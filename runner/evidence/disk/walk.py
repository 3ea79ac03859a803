"""Every file and directory of a file system, deleted ones included, as ``fls -r -p`` lists them.

The walk is breadth-last, depth-first like TSK's own directory walk, and guards
against damaged file systems the same way: a directory is not entered again while
it is one of its own ancestors (a looping directory), depth and entry counts are
capped, and a directory that cannot be read is a warning, not the end of the walk.
Contents are hashed (SHA-256) as ``icat`` would print them; the clusters of
allocated files are remembered so the carver can tell unallocated space apart.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from typing import Any

import pytsk3

from runner.evidence.disk.image import TSK_ERRORS, DiskImage, Volume
from runner.evidence.disk.times import iso

MAX_DEPTH = 256
MAX_ENTRIES = 5_000_000
_CHUNK = 1 << 20
_SPARSE_CAP = 64 << 20  # a sparse file up to this size is hashed even in a smaller image
# TSK's letters for name and metadata types (tsk_fs_name_type_str / tsk_fs_meta_type_str).
_NAME_LETTERS = "-pcdbrlshwvV"
_META_LETTERS = "-rdpcblhswvV"
_REG = int(pytsk3.TSK_FS_META_TYPE_REG)
_DIR = int(pytsk3.TSK_FS_META_TYPE_DIR)
_VDIR = int(pytsk3.TSK_FS_META_TYPE_VIRT_DIR)
_NAME_UNALLOC = int(pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
_META_ALLOC = int(pytsk3.TSK_FS_META_FLAG_ALLOC)
_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_IDXROOT = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
_SKIP_RUN = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE)


@dataclass
class Walked:
    """A volume's entries (rows of ``disk.files``) and the blocks allocated files use."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    used: list[tuple[int, int]] = field(default_factory=list)  # (first block, count)
    # runs TSK recovers for deleted regular files: (first block, count, path)
    deleted_runs: list[tuple[int, int, str]] = field(default_factory=list)


def walk_volume(image: DiskImage, vol: Volume) -> Walked:
    """The volume's entries, computed once and kept on the volume."""
    if vol.walked is None:
        vol.walked = _walk(image, vol)
    result: Walked = vol.walked
    return result


def _walk(image: DiskImage, vol: Volume) -> Walked:
    out = Walked()
    root = int(vol.fs.info.root_inum)
    with contextlib.suppress(*TSK_ERRORS):  # an unreadable root: the walk below says so
        _note_runs(vol.fs.open_meta(inode=root), out.used)  # the root's own blocks
    _list_dir(image, vol, root, "", (root,), out)
    return out


def _list_dir(image: DiskImage, vol: Volume, inode: int, prefix: str,
              ancestors: tuple[int, ...], out: Walked) -> None:
    """One directory's entries, each followed by its own subtree (fls's order)."""
    where = f"{image.name}: offset {vol.offset}: volume {vol.index}:"
    try:
        directory = vol.fs.open_dir(inode=inode)
    except TSK_ERRORS as exc:
        image.warn(f"{where} directory {prefix or '/'!r} (inode {inode}) cannot be read: "
                   f"{_first_line(exc)}")
        return
    try:
        for entry in directory:
            if len(out.rows) >= MAX_ENTRIES:
                image.warn(f"{where} more than {MAX_ENTRIES} entries; the rest are not listed")
                return
            name = entry.info.name.name.decode("utf-8", "replace")
            if name in (".", ".."):
                continue
            rows = _rows(image, vol, entry, prefix + name, name, out)
            out.rows.extend(rows)
            if rows[0]["dir"] and rows[0]["type"][-1] != "-":
                _descend(image, vol, rows[0], prefix + name, ancestors, out)
    except TSK_ERRORS as exc:
        image.warn(f"{where} directory {prefix or '/'!r} (inode {inode}) is damaged part "
                   f"way: {_first_line(exc)}")


def _descend(image: DiskImage, vol: Volume, row: dict[str, Any], path: str,
             ancestors: tuple[int, ...], out: Walked) -> None:
    addr = row["inode"]
    where = f"{image.name}: offset {vol.offset}: volume {vol.index}:"
    if addr in ancestors:
        image.warn(f"{where} directory {path!r} (inode {addr}) loops back to an ancestor; "
                   "not entered again")
    elif len(ancestors) >= MAX_DEPTH:
        image.warn(f"{where} {path!r} is nested deeper than {MAX_DEPTH} directories; "
                   "not entered")
    else:
        _list_dir(image, vol, addr, path + "/", (*ancestors, addr), out)


def _rows(image: DiskImage, vol: Volume, entry: Any, path: str, name: str,
          out: Walked) -> list[dict[str, Any]]:
    """The entry's rows: one, or on NTFS one per data stream and directory index (as fls)."""
    entry = _with_meta(vol, entry)
    base = _row(entry, path, name, vol.index)
    if base["allocated"] and base["meta_alloc"]:
        _note_runs(entry, out.used)
    elif base["deleted"] and base["regular"] and not base["realloc"]:
        runs: list[tuple[int, int]] = []
        _note_runs(entry, runs)
        out.deleted_runs.extend((start, count, path) for start, count in runs)
    streams: list[tuple[int | None, int, str, int]] = [(None, 0, "", 0)]
    if vol.fs_type == "ntfs":
        streams = [*_ntfs_streams(entry)] or streams
    rows = []
    for attr_type, attr_id, attr_name, attr_size in streams:
        row = dict(base)
        if attr_type is not None:
            row["attr"] = f"{attr_type}-{attr_id}"
            row["size"] = attr_size
            if attr_name and not (attr_type == _IDXROOT and attr_name == "$I30"):
                row["path"] = f"{path}:{attr_name}"
        ntfs_without_data = vol.fs_type == "ntfs" and attr_type != _DATA
        if base["regular"] and not ntfs_without_data:
            row["sha256"] = _hash(image, vol, entry, row, attr_type, attr_id)
        rows.append(row)
    for row in rows:
        del row["meta_alloc"], row["regular"]
    return rows


def _with_meta(vol: Volume, entry: Any) -> Any:
    """The entry, or (when the directory walk left its metadata unloaded, as pytsk3 does
    for some orphan names) the file opened by its metadata address, as fls loads it."""
    addr = int(entry.info.name.meta_addr)
    if entry.info.meta is not None or addr == 0:
        return entry
    try:
        loaded = vol.fs.open_meta(inode=addr)
    except TSK_ERRORS:
        return entry
    return _Named(entry.info.name, loaded)


class _Named:
    """A name from the directory with metadata opened separately (File-like for the walk)."""

    def __init__(self, name: Any, file: Any) -> None:
        self.file = file
        self.info = _Info(name, file.info.meta)

    def __iter__(self) -> Any:
        return iter(self.file)

    def read_random(self, *args: Any) -> Any:
        return self.file.read_random(*args)


class _Info:
    def __init__(self, name: Any, meta: Any) -> None:
        self.name = name
        self.meta = meta


def _row(entry: Any, path: str, name: str, volume: int) -> dict[str, Any]:
    info = entry.info
    meta = info.meta
    name_type = int(info.name.type)
    meta_type = int(meta.type) if meta is not None else 0
    deleted = bool(int(info.name.flags) & _NAME_UNALLOC)
    meta_alloc = meta is not None and bool(int(meta.flags) & _META_ALLOC)
    is_dir = meta_type in (_DIR, _VDIR) if meta is not None else name_type in (3, 11)
    return {
        "volume": volume,
        "path": path,
        "name": name,
        "inode": int(info.name.meta_addr),
        "attr": "",
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
        "meta_alloc": meta_alloc,
        "regular": meta_type == _REG,
    }


def _ntfs_streams(entry: Any) -> list[tuple[int, int, str, int]]:
    """(type, id, name, size) of each $DATA and $INDEX_ROOT attribute, in TSK's order."""
    if entry.info.meta is None:
        return []
    found = []
    try:
        for attr in entry:
            kind = int(attr.info.type)
            if kind in (_DATA, _IDXROOT):
                raw = attr.info.name
                name = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else (raw or "")
                found.append((kind, int(attr.info.id), name, int(attr.info.size)))
    except TSK_ERRORS:
        return []  # no readable attribute list: one row from the metadata, as fls prints
    return found


def _hash(image: DiskImage, vol: Volume, entry: Any, row: dict[str, Any],
          attr_type: int | None, attr_id: int | None) -> str:
    """SHA-256 of the data (an NTFS stream: that one), as icat prints it; '' if unreadable."""
    digest = hashlib.sha256()
    size = row["size"]
    offset = 0
    if size > max(image.size, _SPARSE_CAP):
        # Damaged metadata (or a huge sparse file): hashing would read zeros for ages.
        image.warn(f"{image.name}: volume {vol.index}: {row['path']!r} (inode {row['inode']}) "
                   f"claims {size} bytes, more than the image holds; not hashed")
        return ""
    try:
        while offset < size:
            want = min(_CHUNK, size - offset)
            if attr_type is None:
                chunk = entry.read_random(offset, want)
            else:
                chunk = entry.read_random(offset, want, attr_type, attr_id)
            if not chunk:
                break
            digest.update(chunk)
            offset += len(chunk)
    except TSK_ERRORS as exc:
        image.warn(f"{image.name}: volume {vol.index}: {row['path']!r} (inode {row['inode']}): "
                   f"content unreadable after {offset} of {size} bytes: {_first_line(exc)}")
        return ""
    return digest.hexdigest()


def _note_runs(entry: Any, into: list[tuple[int, int]]) -> None:
    """Append (first block, count) of each data run of the entry's attributes."""
    try:
        for attr in entry:
            for run in attr:
                if not int(run.flags) & _SKIP_RUN and run.len:
                    into.append((int(run.addr), int(run.len)))
    except TSK_ERRORS:
        return  # damaged attributes: the content warning (if any) already says so


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
