"""``photo``: a JPEG photo with EXIF: camera make and model, the time it was taken and
the GPS position of a place from a list (or given), written with Pillow.

Pillow writes the 0th IFD, the Exif IFD and the GPS IFD itself, so no second EXIF
library is needed. The picture is drawn from the seed (soft colour bands and a caption),
and the JPEG encoder is deterministic, so the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import random
import re
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational
from pydantic import BaseModel, Field

from runner.errors import InputError
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when
from runner.scenario.model import Strict

# Public landmarks (coordinates from OpenStreetMap, rounded to 1e-4 degrees, about 10 m).
PLACES: dict[str, tuple[float, float, float]] = {
    "kyiv-maidan": (50.4501, 30.5234, 169.0),
    "kyiv-lavra": (50.4344, 30.5572, 185.0),
    "lviv-rynok": (49.8419, 24.0315, 296.0),
    "odesa-opera": (46.4853, 30.7411, 43.0),
    "kharkiv-derzhprom": (50.0050, 36.2271, 135.0),
    "dnipro-embankment": (48.4647, 35.0462, 62.0),
    "warsaw-old-town": (52.2497, 21.0122, 104.0),
    "krakow-rynek": (50.0617, 19.9373, 219.0),
    "vienna-stephansdom": (48.2085, 16.3731, 171.0),
    "berlin-brandenburger-tor": (52.5163, 13.3777, 34.0),
    "prague-charles-bridge": (50.0865, 14.4114, 191.0),
    "budapest-parliament": (47.5071, 19.0457, 104.0),
    "sydney-opera-house": (-33.8568, 151.2153, 5.0),
    "new-york-times-square": (40.7580, -73.9855, 16.0),
}
CAMERAS = [("Apple", "iPhone 13"), ("samsung", "SM-G991B"), ("Google", "Pixel 7"),
           ("Canon", "Canon EOS 250D"), ("NIKON CORPORATION", "NIKON D3500"),
           ("Xiaomi", "Redmi Note 10")]


class PhotoParams(Strict):
    place: str = Field("", description="A place name from the list; empty: drawn per seed.")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude instead of a place.")
    lon: float | None = Field(None, ge=-180, le=180, description="Longitude with lat.")
    make: str = Field("", max_length=60, description="Camera make; empty: drawn.")
    model: str = Field("", max_length=60, description="Camera model; empty: drawn.")
    taken: str = Field("2024-03-14T09:26:53Z", description="When it was taken (UTC).")
    software: str = Field("", max_length=60, description="Software tag, if any.")
    caption: str = Field("", max_length=200, description="Text drawn on the picture.")
    width: int = Field(640, ge=16, le=4000)
    height: int = Field(480, ge=16, le=4000)
    gps: bool = Field(True, description="Write the GPS block; false: stripped, as by a site "
                      "or a phone's share-without-location option.")
    serial: str = Field("", max_length=40, description="Camera body serial (BodySerialNumber).")
    offset: str = Field("+00:00", pattern=r"^[+-](0\d|1[0-4]):[0-5]\d$",
                        description="The camera clock's UTC offset: DateTimeOriginal is "
                        "written in that local time, GPS time stays UTC.")


def jpeg_bytes(seed: int, width: int, height: int, caption: str = "",
               exif: Image.Exif | None = None) -> bytes:
    """A seeded picture as JPEG (quality 85), with ``exif`` if given."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    bands = rng.randint(3, 7)
    for band in range(bands):
        colour = tuple(rng.randrange(40, 220) for _ in range(3))
        top = height * band // bands
        draw.rectangle((0, top, width, height * (band + 1) // bands), fill=colour)
    if caption:
        draw.text((10, height - 20), caption, fill=(255, 255, 255))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85, exif=exif if exif is not None else b"")
    return buf.getvalue()


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    whole = abs(value)
    degrees = int(whole)
    minutes = int((whole - degrees) * 60)
    seconds = Fraction(round((whole - degrees - minutes / 60) * 3600 * 10000), 10000)
    return (IFDRational(degrees, 1), IFDRational(minutes, 1),
            IFDRational(seconds.numerator, seconds.denominator))


def offset_delta(offset: str) -> timedelta:
    """``+03:00`` as a timedelta."""
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)", offset)
    assert match, offset
    delta = timedelta(hours=int(match[2]), minutes=int(match[3]))
    return -delta if match[1] == "-" else delta


def exif_for(make: str, model: str, taken: datetime,
             position: tuple[float, float, float] | None, software: str = "",
             serial: str = "", offset: str = "+00:00") -> Image.Exif:
    """EXIF with camera, original time (local to the camera's clock, with its offset) and,
    unless ``position`` is None, the GPS position and UTC time."""
    exif = Image.Exif()
    # Cameras keep local wall-clock time; only OffsetTimeOriginal (EXIF 2.31) says which zone.
    stamp = (taken + offset_delta(offset)).strftime("%Y:%m:%d %H:%M:%S")
    exif[0x010F], exif[0x0110], exif[0x0132] = make, model, stamp
    if software:
        exif[0x0131] = software
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = sub[0x9004] = stamp
    sub[0x9011] = offset  # OffsetTimeOriginal
    if serial:
        sub[0xA431] = serial  # BodySerialNumber: survives when a site strips only GPS
    if position is not None:
        _gps(exif, taken, position)
    return exif


def _gps(exif: Image.Exif, taken: datetime, position: tuple[float, float, float]) -> None:
    lat, lon, alt = position
    gps = exif.get_ifd(0x8825)
    gps[0] = b"\x02\x03\x00\x00"
    gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    gps[5], gps[6] = b"\x00" if alt >= 0 else b"\x01", IFDRational(round(abs(alt) * 10), 10)
    gps[7] = (IFDRational(taken.hour, 1), IFDRational(taken.minute, 1),
              IFDRational(taken.second, 1))
    gps[29] = taken.strftime("%Y:%m:%d")


class PhotoGenerator(Generator):
    kind: ClassVar[str] = "photo"
    Params: ClassVar[type[BaseModel]] = PhotoParams
    suffix: ClassVar[str] = ".jpg"
    evidence_kind: ClassVar[str] = "picture"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, PhotoParams)
        rng = ctx.rng("photo")
        what = f"output '{ctx.output}'"
        taken = parse_when(params.taken, what)
        place = params.place or rng.choice(sorted(PLACES))
        if params.lat is not None and params.lon is not None:
            position, place = (params.lat, params.lon, 0.0), params.place or "given"
        elif place in PLACES:
            position = PLACES[place]
        else:
            raise InputError(f"{what}: unknown place '{place}'",
                             fix=f"use one of: {', '.join(sorted(PLACES))}, or lat and lon")
        make, model = rng.choice(CAMERAS)
        make, model = params.make or make, params.model or model
        exif = exif_for(make, model, taken, position if params.gps else None,
                        params.software, params.serial, params.offset)
        out.write_bytes(jpeg_bytes(rng.getrandbits(32), params.width, params.height,
                                   params.caption, exif))
        local = (taken + offset_delta(params.offset)).replace(tzinfo=None).isoformat()
        values: dict[str, Any] = {
            "make": make, "model": model, "camera": f"{make} {model}", "taken": iso(taken),
            "local_time": f"{local}{params.offset}", "offset": params.offset,
            "serial": params.serial, "gps": params.gps, "place": place}
        if params.gps:  # a stripped photo has no position to ask about
            values.update({
                "lat": round(position[0], 6), "lon": round(position[1], 6),
                "altitude": position[2], "position": f"{position[0]:.6f}, {position[1]:.6f}"})
        return {ctx.output: values}
