"""``working-copy``: a byte-for-byte copy of an earlier raw output (the seized medium),
as an examiner hands one out to work on, or a copy someone altered afterwards.

Copies are compared with the acquisition hashes: every faithful copy hashes to the
same SHA-256, and the altered one differs in a few bytes inside a file's content, as a
doctored document would. The story names several copies and which one was altered
(``label`` equal to ``altered_copy``); the altered copy finds the text ``find`` in the
medium (it must occur exactly once) and overwrites it with ``replace`` of the same
length, so no offset moves and ``cmp`` lists only the changed bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, model_validator

from runner.errors import InputError
from runner.generate.registry import GenContext, Generator
from runner.scenario.model import Strict

MEDIA_KINDS = ("usb-image", "disk-image")
SECTOR = 512


class CopyParams(Strict):
    source: str = Field(description="The earlier raw output copied (a usb-image or disk-image).")
    label: str = Field(pattern=r"^[A-Za-z0-9_-]{1,20}$", description="This copy's label: A.")
    altered_copy: str = Field("", max_length=20, description="Label of the altered copy.")
    find: str = Field("", max_length=200, description="Text the altered copy overwrites.")
    replace: str = Field("", max_length=200, description="What it writes, same length.")

    @model_validator(mode="after")
    def _same_length(self) -> CopyParams:
        if len(self.find.encode()) != len(self.replace.encode()) or self.find == self.replace:
            raise ValueError("'replace' must differ from 'find' and have the same length in "
                             "bytes, so that no byte after it moves")
        return self


class WorkingCopyGenerator(Generator):
    kind: ClassVar[str] = "working-copy"
    Params: ClassVar[type[BaseModel]] = CopyParams
    suffix: ClassVar[str] = ".dd"
    evidence_kind: ClassVar[str] = "disk"

    def check(self, params: BaseModel, ctx: GenContext) -> None:
        assert isinstance(params, CopyParams)
        ctx.source(params.source, MEDIA_KINDS)

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, CopyParams)
        media = ctx.source(params.source, MEDIA_KINDS)
        assert media is not None  # generating: earlier outputs are made
        data = bytearray(media.read_bytes())
        values: dict[str, Any] = {}
        altered = params.label == params.altered_copy
        if altered:
            values["tamper"] = _alter(data, params, ctx.output)
        out.write_bytes(bytes(data))
        digest = hashlib.sha256(data).hexdigest()
        if altered:
            values["tamper"]["sha256"] = digest
        values[ctx.output] = {"label": params.label, "altered": altered, "sha256": digest,
                              "md5": hashlib.md5(data).hexdigest(), "size": len(data)}
        return values


def _alter(data: bytearray, params: CopyParams, output: str) -> dict[str, Any]:
    """Overwrite the one occurrence of ``find``; the change's place as examiners give it."""
    old, new = params.find.encode(), params.replace.encode()
    at = data.find(old)
    if at < 0 or data.find(old, at + 1) >= 0:
        raise InputError(f"output '{output}': the text to alter occurs "
                         f"{'nowhere' if at < 0 else 'more than once'} in '{params.source}'",
                         fix="make 'find' a text that is in exactly one file of the medium")
    data[at:at + len(old)] = new
    first = next(i for i in range(len(old)) if old[i] != new[i])
    last = max(i for i in range(len(old)) if old[i] != new[i])
    offset = at + first
    return {"label": params.label, "offset": offset, "cmp_byte": offset + 1,
            "sector": offset // SECTOR, "last_offset": at + last,
            "changed_bytes": sum(a != b for a, b in zip(old, new, strict=True)),
            "before": params.find, "after": params.replace}
