"""``acquisition-log``: the log an examiner keeps of an acquisition, for an earlier
``ewf-image`` output: the case details typed in, the command line, and what
``ewfacquire`` printed (media size, start and end times, the MD5, SHA-1 and SHA-256 it
calculated over the data), in ewfacquire's own wording and layout.

It is written from the image output's values, so its hashes are the media's: a
trainee verifies the image against it (``ewfverify -d sha256``) and the working copies
against it (``sha256sum``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when
from runner.scenario.model import Strict

_LINE = r"^[^\n\r]{0,200}$"


class LogParams(Strict):
    source: str = Field(description="The earlier ewf-image output this acquisition made.")
    device: str = Field("/dev/sdb", pattern=_LINE, description="The device node read.")
    write_blocker: str = Field("", pattern=_LINE, description="Write blocker used, if any.")
    seconds: int = Field(95, ge=1, le=86_400, description="How long the acquisition took.")
    file_name: str = Field("image", pattern=r"^[A-Za-z0-9._-]{1,60}$",
                           description="Image name given to ewfacquire -t (no extension).")


class AcquisitionLogGenerator(Generator):
    kind: ClassVar[str] = "acquisition-log"
    Params: ClassVar[type[BaseModel]] = LogParams
    suffix: ClassVar[str] = ".log"

    def check(self, params: BaseModel, ctx: GenContext) -> None:
        assert isinstance(params, LogParams)
        ctx.source(params.source, ("ewf-image",))

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, LogParams)
        ctx.source(params.source, ("ewf-image",))
        image: dict[str, Any] = ctx.values[params.source]
        started = parse_when(image["acquired"], f"output '{ctx.output}'")
        finished = started + timedelta(seconds=params.seconds)
        out.write_text(_log(params, image, started, finished), encoding="utf-8")
        return {ctx.output: {"started": iso(started), "finished": iso(finished),
                             "device": params.device, "write_blocker": params.write_blocker}}


def _log(params: LogParams, image: dict[str, Any], started: Any, finished: Any) -> str:
    size = int(image["media_size"])
    clock = "%b %d, %Y %H:%M:%S"
    command = (f"ewfacquire -u -t /cases/{params.file_name} -f encase6 -c deflate:fast "
               f"-d sha1 -C '{image['case_number']}' -E '{image['evidence_number']}' "
               f"-e '{image['examiner']}' -D '{image['description']}' "
               f"-N '{image['notes']}' -m {image['media_type']} -M physical {params.device}")
    lines = [
        "Acquisition log (all times UTC)",
        f"Case number:      {image['case_number']}",
        f"Evidence number:  {image['evidence_number']}",
        f"Examiner:         {image['examiner']}",
        f"Description:      {image['description']}",
        f"Source device:    {params.device}",
        f"Write blocker:    {params.write_blocker or 'none'}",
        "",
        f"$ {command}",
        "ewfacquire 20140813",
        "",
        "Storage media information:",
        "Type:\t\t\t\t\tDevice",
        f"Media size:\t\t\t\t{size / 1_000_000:.1f} MB ({size} bytes)",
        f"Bytes per sector:\t\t\t{image['bytes_per_sector']}",
        "",
        f"Acquiry started at: {started.strftime(clock)}",
        "This could take a while.",
        "",
        f"Acquiry completed at: {finished.strftime(clock)}",
        "",
        f"Written: {size / 1_048_576:.1f} MiB ({size} bytes) in "
        f"{_duration(int((finished - started).total_seconds()))}.",
        f"MD5 hash calculated over data:\t\t{image['md5']}",
        f"SHA1 hash calculated over data:\t\t{image['sha1']}",
        "ewfacquire: SUCCESS",
        "",
        f"$ sha256sum {params.device}",
        f"{image['sha256']}  {params.device}",
    ]
    return "\n".join(lines) + "\n"


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return (f"{minutes} minute(s) and {rest} second(s)" if minutes
            else f"{rest} second(s)")
