"""``usb-image``: a seized USB stick as a raw FAT32 image, with a folder tree, ordinary
files, deleted files whose content is still recoverable and a file hidden by a wrong
extension.

Built without mounting or root: ``mkfs.vfat`` with a seeded volume serial, then mtools
(``mmd``, ``mcopy -m``, ``mdel``) with the clock pinned, so the same seed gives the same
bytes. Deleted files are written last-but-one and deleted last, so no later write reuses
their clusters: The Sleuth Kit (``fls -r -d``, ``icat``) and photorec recover them whole.
FAT keeps modification times in two-second steps and in local time; the image is built
in UTC, and story times are even seconds, so ``istat`` prints them as the story says.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from runner.generate.generators.photo import jpeg_bytes
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when, run_tool, set_times, times_between
from runner.scenario.model import Strict

# Ordinary files: each is what its extension says, so the one hidden file stands out to
# `file` and a signature check.
NOTES = ["shopping list", "call the bank on Monday", "wifi: guest / see fridge",
         "return the drill to Oleh", "dentist 14:30", "pay the electricity bill"]


class StoryFile(Strict):
    path: str = Field(pattern=r"^/[^\\:*?\"<>|]+$", max_length=200,
                      description="Where the file is on the stick: /Documents/plan.txt.")
    content: str = Field("", max_length=1_000_000, description="The file's text.")


class HiddenFile(Strict):
    path: str = Field(pattern=r"^/[^\\:*?\"<>|]+$", max_length=200,
                      description="Its name on the stick, with the wrong extension.")
    type: Literal["jpeg", "zip"] = Field("zip", description="What the file really is.")
    content: str = Field("", max_length=100_000, description="Text in it (zip: notes.txt).")


class UsbParams(Strict):
    label: str = Field("USBSTICK", pattern=r"^[A-Z0-9 _-]{1,11}$", description="Volume label.")
    size_mb: int = Field(64, ge=40, le=2048, description="Image size in MiB (FAT32: 40+).")
    time: str = Field("2024-03-14T09:00:00Z", description="When the stick was first written.")
    hours: float = Field(72, gt=0, le=24 * 3650, description="Files span this many hours.")
    filler: int = Field(12, ge=0, le=500, description="Ordinary files drawn from a pool.")
    files: list[StoryFile] = Field(default_factory=list, description="Files the story names.")
    deleted: list[StoryFile] = Field(default_factory=list, description="Files deleted.")
    hidden: HiddenFile | None = Field(None, description="A file behind a wrong extension.")


def _filler(rng: random.Random, index: int) -> tuple[str, bytes]:
    choice = rng.randrange(3)
    if choice == 0:
        number = rng.randint(1000, 9999)
        return (f"/DCIM/100MEDIA/IMG_{number}.JPG",
                jpeg_bytes(rng.getrandbits(32), 160, 120, caption=f"IMG_{number}"))
    if choice == 1:
        lines = rng.sample(NOTES, rng.randint(1, 3))
        return f"/Documents/note{index:02d}.txt", ("\n".join(lines) + "\n").encode()
    rows = [f"{rng.randint(1, 28):02d}.03,{rng.randint(10, 9000)},UAH" for _ in range(8)]
    return f"/Documents/Budget/budget{index:02d}.csv", ("date,amount,currency\n"
                                                        + "\n".join(rows) + "\n").encode()


def _hidden_bytes(spec: HiddenFile, seed: int) -> bytes:
    if spec.type == "jpeg":
        return jpeg_bytes(seed, 320, 240, caption=spec.content)
    from runner.generate.generators.document import zip_bytes

    return zip_bytes({"notes.txt": spec.content.encode()}, (2024, 1, 1, 0, 0, 0))


class UsbImageGenerator(Generator):
    kind: ClassVar[str] = "usb-image"
    Params: ClassVar[type[BaseModel]] = UsbParams
    suffix: ClassVar[str] = ".img"
    evidence_kind: ClassVar[str] = "disk"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, UsbParams)
        rng = ctx.rng("usb")
        what = f"output '{ctx.output}'"
        start = parse_when(params.time, what)
        serial = f"{rng.getrandbits(32):08X}"
        plan = [_filler(rng, index) for index in range(params.filler)]
        plan += [(f.path, f.content.encode()) for f in params.files]
        if params.hidden is not None:
            plan.append((params.hidden.path, _hidden_bytes(params.hidden, rng.getrandbits(32))))
        plan = list(dict(plan).items())  # a later file of the same path replaces an earlier
        doomed = [(f.path, f.content.encode()) for f in params.deleted]
        times = times_between(rng, start, params.hours, len(plan) + len(doomed), even=True)
        epoch = int(times[-1].timestamp()) + 3600 if times else int(start.timestamp())
        with tempfile.TemporaryDirectory(prefix="dflab-usb-") as tmp:
            image = Path(tmp) / "usb.img"
            with image.open("wb") as fh:
                fh.truncate(params.size_mb * 1024 * 1024)
            # --invariant pins mkfs's own clock and serial; mlabel then writes the
            # seeded serial and the label at the pinned time.
            run_tool(["mkfs.vfat", "-F", "32", "-s", "1", "--invariant", str(image)],
                     epoch=epoch, what=what)
            run_tool(["mlabel", "-i", str(image), "-N", serial, f"::{params.label}"],
                     epoch=epoch, what=what)
            made: set[str] = set()
            stamped = list(zip([*plan, *doomed], times, strict=True))
            for index, ((path, data), when) in enumerate(stamped):
                self._put(image, Path(tmp), index, path, data, when, made, epoch, what)
            for path, _ in doomed:
                run_tool(["mdel", "-i", str(image), f"::{path}"], epoch=epoch, what=what)
            image.replace(out)
        return {ctx.output: {
            "label": params.label, "serial": f"{serial[:4]}-{serial[4:]}",
            "deleted_count": len(doomed),
            "files": [_entry(p, d, w) for (p, d), w in stamped[:len(plan)]],
            "deleted": [_entry(p, d, w) for (p, d), w in stamped[len(plan):]],
            "hidden": ({**_entry(params.hidden.path, dict(plan)[params.hidden.path],
                                 stamped[[p for p, _ in plan].index(params.hidden.path)][1]),
                        "type": params.hidden.type} if params.hidden else {}),
        }}

    @staticmethod
    def _put(image: Path, tmp: Path, index: int, path: str, data: bytes, when: Any,
             made: set[str], epoch: int, what: str) -> None:
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):
            folder = "/" + "/".join(parts[:depth])
            if folder not in made:
                run_tool(["mmd", "-i", str(image), f"::{folder}"], epoch=epoch, what=what)
                made.add(folder)
        source = tmp / f"src{index}" / parts[-1]
        source.parent.mkdir()
        source.write_bytes(data)
        set_times(source, when)
        run_tool(["mcopy", "-m", "-o", "-i", str(image), str(source), f"::{path}"],
                 epoch=epoch, what=what)


def _entry(path: str, data: bytes, when: Any) -> dict[str, Any]:
    return {"path": path, "name": path.rsplit("/", 1)[-1], "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "modified": iso(when)}
