"""The bytes an event carries: a file shipped with the story, or bytes generated per seed.

Not an event itself: shared by the events that move a file (HTTP transfer, e-mail, DNS
and ICMP tunnels). A generated file is a small valid document of its kind (text, CSV,
PDF) or random bytes, so a carved file opens like a real one.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

from pydantic import Field, model_validator

from runner.errors import InputError
from runner.generate.registry import GenContext
from runner.scenario.model import Strict

_WORDS = ("invoice", "payroll", "quarter", "client", "account", "budget", "forecast", "merger",
          "confidential", "transfer", "salary", "contract", "supplier", "margin")


class PayloadSpec(Strict):
    """``file:`` (shipped next to the story) or ``size:`` (generated), named ``name``."""

    name: str = Field("document.txt", min_length=1, description="File name on the wire.")
    file: str | None = Field(None, description="A file next to the story to carry.")
    size: int | None = Field(None, ge=1, le=50_000_000, description="Generate this many bytes.")
    content: str | None = Field(None, description="Or: this text.")

    @model_validator(mode="after")
    def _one(self) -> PayloadSpec:
        given = [k for k in ("file", "size", "content") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of file, size, content (found: {', '.join(given)})")
        return self


def payload_bytes(spec: PayloadSpec, ctx: GenContext, rng: random.Random) -> bytes:
    """The payload's bytes (deterministic per seed)."""
    if spec.file is not None:
        return payload_path(spec.file, ctx).read_bytes()
    if spec.content is not None:
        return spec.content.encode()
    return generated(spec.name, spec.size or 4096, rng)


def payload_path(name: str, ctx: GenContext) -> Path:
    """Where a payload file the story ships is; a missing one is an :class:`InputError`."""
    path = (ctx.base_dir / name).resolve()
    if not path.is_file():
        raise InputError(f"output '{ctx.output}': payload file '{name}' not found next to "
                         f"the story ({ctx.base_dir})",
                         fix="ship the file with the scenario or use 'size:'")
    return path


def generated(name: str, size: int, rng: random.Random) -> bytes:
    """``size`` bytes shaped like ``name``'s type: text, CSV, a PDF, or random bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in (".txt", ".csv", ".log", ".md"):
        sep = "," if suffix == ".csv" else " "
        lines, length = [], 0
        while length < size:
            lines.append(sep.join(rng.choices(_WORDS, k=8)) + f"{sep}{rng.randrange(10**6)}")
            length += len(lines[-1]) + 1
        return ("\n".join(lines) + "\n").encode()[:size]
    if suffix == ".pdf":
        lines, length = [], 0
        while length < size - 700:  # the objects around the page text take ~700 bytes
            lines.append(" ".join(rng.choices(_WORDS, k=6)))
            length += len(lines[-1]) + 8  # "(line) Tj T* "
        return _pdf(lines or ["report"])
    return rng.randbytes(size)


def _pdf(lines: list[str]) -> bytes:
    shown = "".join(f"({line}) Tj T* " for line in lines)
    stream = f"BT /F1 10 Tf 12 TL 72 760 Td {shown}ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
               + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"\
        .encode()
    return bytes(out)


def digests(data: bytes, ctx: GenContext, name: str) -> dict[str, object]:
    """What keys name about a carried file: its hashes and size, and ``path``, where a copy
    of it is kept beside the variant (host side, never mounted into a lab) so a reference
    solution can hand the very file to an artifact task: ``solution: {file: "{{x.path}}"}``."""
    sha256 = hashlib.sha256(data).hexdigest()
    values: dict[str, object] = {"sha256": sha256, "md5": hashlib.md5(data).hexdigest(),
                                 "size": len(data)}
    if ctx.carry_dir is not None:
        # The name comes from the story: keep its last part, in safe characters only.
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name).lstrip(".") or "payload"
        target = ctx.carry_dir / f"{sha256[:12]}-{safe}"
        if not target.is_file():
            ctx.carry_dir.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            partial.write_bytes(data)
            partial.replace(target)
        # Relative to the variant's folder (the same for every copy of the variant);
        # materialize makes a solution naming it absolute.
        values["path"] = f"{ctx.carry_dir.name}/{target.name}"
    return values
