"""``ewf-image``: an earlier output (the seized medium) acquired into an Expert Witness
(EnCase 6, ``.E01``) image with ``ewfacquire``, carrying the case number, evidence
number, examiner, description and notes an examiner types, and the MD5 and SHA-1 of
the media it read.

ewfacquire runs unattended (``-u``) on the medium's raw bytes, as it would on a
write-blocked device; its clock cannot be set, so the acquisition and system dates it
stamps are pinned to the story's time afterwards (``runner/generate/ewfclock.py``).
``ewfinfo`` shows the story's header values and ``ewfverify`` succeeds.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from runner.generate.ewfclock import pin_acquisition_time
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when, run_tool
from runner.scenario.model import Strict

# Raw media an E01 can be acquired from (generators of whole disks or volumes).
MEDIA_KINDS = ("usb-image", "disk-image", "working-copy")
SECTOR = 512
_HEADER = r"^[^\t\n\r]{0,200}$"  # header values are tab-separated lines in the E01


class EwfParams(Strict):
    source: str = Field(description="The earlier output acquired (a usb-image or disk-image).")
    case_number: str = Field(pattern=_HEADER, description="Case number (ewfinfo: Case number).")
    evidence_number: str = Field(pattern=_HEADER, description="Evidence (exhibit) number.")
    examiner: str = Field(pattern=_HEADER, description="Examiner name.")
    description: str = Field("", pattern=_HEADER, description="What the media is.")
    notes: str = Field("", pattern=_HEADER, description="Free notes (write blocker, seal).")
    acquired: str = Field(description="When the acquisition started (ISO 8601, UTC).")
    media_type: Literal["removable", "fixed", "optical", "memory"] = Field(
        "removable", description="ewfacquire -m: what kind of device was read.")


class EwfImageGenerator(Generator):
    kind: ClassVar[str] = "ewf-image"
    Params: ClassVar[type[BaseModel]] = EwfParams
    suffix: ClassVar[str] = ".E01"
    evidence_kind: ClassVar[str] = "ewf"

    def check(self, params: BaseModel, ctx: GenContext) -> None:
        assert isinstance(params, EwfParams)
        ctx.source(params.source, MEDIA_KINDS)
        parse_when(params.acquired, f"output '{ctx.output}': acquired")

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, EwfParams)
        what = f"output '{ctx.output}'"
        media = ctx.source(params.source, MEDIA_KINDS)
        assert media is not None  # generating: earlier outputs are made
        when = parse_when(params.acquired, f"{what}: acquired")
        with tempfile.TemporaryDirectory(prefix="dflab-ewf-") as tmp:
            target = Path(tmp) / "image"
            run_tool(["ewfacquire", "-u", "-q", "-t", str(target), "-f", "encase6",
                      "-c", "deflate:fast", "-d", "sha1", "-b", "64", "-S", "0",
                      "-C", params.case_number, "-E", params.evidence_number,
                      "-e", params.examiner, "-D", params.description, "-N", params.notes,
                      "-m", params.media_type, "-M", "physical", str(media)],
                     epoch=int(when.timestamp()), what=what)
            made = target.with_suffix(".E01")
            pin_acquisition_time(made, when)
            out.write_bytes(made.read_bytes())
        digests = _digests(media)
        size = media.stat().st_size
        return {ctx.output: {
            "case_number": params.case_number, "evidence_number": params.evidence_number,
            "examiner": params.examiner, "description": params.description,
            "notes": params.notes, "acquired": iso(when), "media_size": size,
            "media_type": params.media_type,
            "bytes_per_sector": SECTOR, "sectors": size // SECTOR, **digests,
        }}


def _digests(path: Path) -> dict[str, str]:
    """MD5, SHA-1 and SHA-256 of a file, read once."""
    hashes = {"md5": hashlib.md5(), "sha1": hashlib.sha1(), "sha256": hashlib.sha256()}
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            for digest in hashes.values():
                digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in hashes.items()}
