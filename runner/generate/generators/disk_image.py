"""``disk-image``: a raw disk image with an MBR or GPT partition table and one ext4
partition holding a home folder, ordinary files and deleted files still recoverable.

Built without mounting or root: ``mkfs.ext4 -d`` copies a prepared folder into the
partition with a seeded UUID and hash seed and the clock pinned; ``debugfs -w`` deletes
the story's deleted files (it frees their blocks and inode but leaves the extents, as
The Sleuth Kit's ``icat`` needs to recover them); ``sfdisk`` writes the partition table
with a seeded disk identifier, and the partition is copied in at its offset.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from runner.errors import DflabError, InputError
from runner.generate.generators.usb_image import StoryFile
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import (
    iso,
    parse_when,
    run_tool,
    seeded_uuid,
    set_times,
    times_between,
)
from runner.scenario.model import Strict

LINUX_MBR = "83"
LINUX_GPT = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
SECTOR = 512


class DiskFile(StoryFile):
    time: str | None = Field(None, description="When it was last written (default: drawn in "
                             "the image's window), so other evidence can match it.")


class DiskParams(Strict):
    table: Literal["mbr", "gpt"] = Field("mbr", description="Partition table.")
    size_mb: int = Field(64, ge=16, le=4096, description="Disk size in MiB.")
    start_sector: int = Field(2048, ge=64, le=1_048_576, description="Partition start.")
    label: str = Field("data", pattern=r"^[A-Za-z0-9_-]{1,16}$", description="ext4 label.")
    user: str = Field("user", pattern=r"^[a-z_][a-z0-9_-]{0,31}$", description="Home owner.")
    time: str = Field("2024-03-14T09:00:00Z", description="When files were first written.")
    hours: float = Field(72, gt=0, le=24 * 3650)
    files: list[DiskFile] = Field(default_factory=list, description="Files the story names.")
    deleted: list[DiskFile] = Field(default_factory=list, description="Files deleted.")


def _prepare(root: Path, files: list[tuple[str, bytes, Any]]) -> None:
    for path, data, when in files:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        set_times(target, when)
    first = min((w for _, _, w in files), default=None)
    if first is not None:  # folders last, deepest first: writing a file touches its folder
        for folder in sorted((p for p in root.rglob("*") if p.is_dir()),
                             key=lambda p: -len(p.parts)):
            set_times(folder, first)


def _all_times(root: Path, stamped: list[tuple[str, bytes, Any]]) -> list[tuple[str, Any]]:
    """Every file's time, and the earliest for every folder (the root included)."""
    first = min(w for _, _, w in stamped)
    folders = sorted("/" + p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())
    return [(p, w) for p, _, w in stamped] + [("/", first)] + [(f, first) for f in folders]


def _inode(part: Path, path: str, epoch: int, what: str) -> int:
    shown = run_tool(["debugfs", "-R", f"stat \"{path}\"", str(part)], epoch=epoch, what=what)
    found = re.search(r"Inode:\s*([0-9]+)", shown)
    if not found:
        raise DflabError(f"{what}: debugfs found no inode for {path}",
                         fix="report this as a dflab bug with the story and seed")
    return int(found.group(1))


class DiskImageGenerator(Generator):
    kind: ClassVar[str] = "disk-image"
    Params: ClassVar[type[BaseModel]] = DiskParams
    suffix: ClassVar[str] = ".img"
    evidence_kind: ClassVar[str] = "disk"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, DiskParams)
        rng = ctx.rng("disk")
        what = f"output '{ctx.output}'"
        start = parse_when(params.time, what)
        fs_uuid, hash_seed, disk_guid, part_guid = (seeded_uuid(rng) for _ in range(4))
        mbr_id = f"0x{rng.getrandbits(32):08x}"
        home = f"/home/{params.user}"
        wanted = [(f.path, f.content.encode()) for f in [*params.files, *params.deleted]]
        wanted.append((f"{home}/.bash_history", b"ls -la\ncd Documents\nnano notes.txt\n"))
        times = times_between(rng, start, params.hours, len(wanted))
        pinned = [parse_when(f.time, f"{what}: {f.path}") if f.time else None
                  for f in [*params.files, *params.deleted]]
        times = [p or t for p, t in zip([*pinned, None], times, strict=True)]
        stamped = [(p, d, w) for (p, d), w in zip(wanted, times, strict=True)]
        epoch = int(max(times).timestamp()) + 3600
        total = params.size_mb * 1024 * 1024 // SECTOR
        size = total - params.start_sector - (34 if params.table == "gpt" else 0)
        size -= size % 8  # whole 4 KiB blocks
        if size * SECTOR < 8 * 1024 * 1024:
            raise InputError(f"{what}: the partition would be under 8 MiB",
                             fix="raise size_mb or lower start_sector")
        with tempfile.TemporaryDirectory(prefix="dflab-disk-") as tmp:
            root, part, disk = Path(tmp) / "root", Path(tmp) / "part.img", Path(tmp) / "disk.img"
            root.mkdir()
            _prepare(root, stamped)
            run_tool(["mkfs.ext4", "-q", "-F", "-L", params.label, "-U", str(fs_uuid),
                      "-E", f"root_owner=0:0,hash_seed={hash_seed},lazy_itable_init=0,"
                      "lazy_journal_init=0,nodiscard", "-d", str(root), str(part),
                      f"{size * SECTOR // 1024}k"], epoch=epoch, what=what)
            inodes = {p: _inode(part, p, epoch, what) for p, _, _ in stamped}
            # mkfs copies each inode's change time from the host, where no one can set it:
            # pin it to the story's time, then delete.
            commands = [f'sif "{path}" ctime @{int(when.timestamp())}'
                        for path, when in _all_times(root, stamped)]
            commands += [f'rm "{item.path}"' for item in params.deleted]
            script = Path(tmp) / "debugfs.cmd"
            script.write_text("\n".join(commands) + "\n", encoding="utf-8")
            run_tool(["debugfs", "-w", "-f", str(script), str(part)], epoch=epoch, what=what)
            with disk.open("wb") as fh:
                fh.truncate(total * SECTOR)
            self._table(disk, params, size, mbr_id, str(disk_guid), str(part_guid), epoch, what)
            with disk.open("r+b") as fh, part.open("rb") as src:
                fh.seek(params.start_sector * SECTOR)
                while chunk := src.read(1 << 20):
                    fh.write(chunk)
            disk.replace(out)
        deleted = {f.path for f in params.deleted}
        return {ctx.output: {
            "table": params.table, "disk_id": mbr_id if params.table == "mbr" else str(disk_guid),
            "partition": {"start": params.start_sector, "size": size,
                          "offset": params.start_sector * SECTOR},
            "filesystem": {"type": "ext4", "uuid": str(fs_uuid), "label": params.label},
            "files": [_entry(p, d, w, inodes[p]) for p, d, w in stamped if p not in deleted],
            "deleted": [_entry(p, d, w, inodes[p]) for p, d, w in stamped if p in deleted],
        }}

    @staticmethod
    def _table(disk: Path, params: DiskParams, size: int, mbr_id: str, disk_guid: str,
               part_guid: str, epoch: int, what: str) -> None:
        if params.table == "mbr":
            script = (f"label: dos\nlabel-id: {mbr_id}\nunit: sectors\n"
                      f"start={params.start_sector}, size={size}, type={LINUX_MBR}\n")
        else:
            script = (f"label: gpt\nlabel-id: {disk_guid}\nunit: sectors\n"
                      f"start={params.start_sector}, size={size}, type={LINUX_GPT}, "
                      f"uuid={part_guid}, name=\"{params.label}\"\n")
        script_file = disk.with_suffix(".sfdisk")
        script_file.write_text(script, encoding="ascii")
        run_tool(["sh", "-c", f"sfdisk --no-reread --no-tell-kernel -q '{disk}' "
                  f"< '{script_file}'"], epoch=epoch, what=what)


def _entry(path: str, data: bytes, when: Any, inode: int) -> dict[str, Any]:
    return {"path": path, "name": path.rsplit("/", 1)[-1], "size": len(data), "inode": inode,
            "sha256": hashlib.sha256(data).hexdigest(), "modified": iso(when)}
