"""The profile-snapshots generator (and the photo options the OSINT story uses): same seed
same bytes, the person's selectors on every site, look-alike decoys that never collide,
the capture log's hashes, and exiftool reading stripped GPS, serial and local time."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import textwrap
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from runner.errors import InputError
from runner.generate.generators.profiles import lookalikes, national, phone_pattern
from runner.generate.seeds import rng_for
from runner.generate.story import LoadedStory, load_story
from runner.generate.variant import Variant, generate_variant

STORY = """\
schema_version: 1
id: profiles-test
variables:
  handle: {choice: [krot77, sova_foto, borsuk_lv]}
outputs:
  pages:
    kind: profile-snapshots
    person: {handle: "{{handle}}", name: Oleh Moroz, email: o.moroz@poshta.example,
             phone: "+380671234567", channel: "{{handle}}_gear"}
    place: lviv-rynok
    lot: {number: 51234567, title: Camera bag, price: 900, photo: lot.jpg}
    post: {title: Prices leaked, time: "2024-03-16T20:05:00Z"}
    decoys: 3
  stripped:
    kind: photo
    place: lviv-rynok
    gps: false
    make: Canon
    model: Canon EOS 250D
    serial: "031234567890"
    offset: "+02:00"
    taken: "2024-03-15T21:05:58Z"
  kept:
    kind: photo
    place: lviv-rynok
    make: Canon
    model: Canon EOS 250D
    serial: "031234567890"
    offset: "+02:00"
    taken: "2024-03-10T07:14:32Z"
"""


def tool(name: str) -> str:
    """The reference tool's path; the test fails (not skips) without it."""
    path = shutil.which(name)
    assert path, f"reference tool '{name}' is missing: see tools/system-packages.txt"
    return path


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> LoadedStory:
    path = tmp_path_factory.mktemp("story") / "story.yaml"
    path.write_text(textwrap.dedent(STORY), encoding="utf-8")
    return load_story(path)


@pytest.fixture(scope="module")
def variant(story: LoadedStory, tmp_path_factory: pytest.TempPathFactory) -> Variant:
    return generate_variant(story, 4, tmp_path_factory.mktemp("v4"))


def _zip(variant: Variant) -> dict[str, bytes]:
    with zipfile.ZipFile(variant.files["pages"]) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


class _Page(HTMLParser):
    """The selectors a trainee reads off a saved page: JSON-LD, tel: links, images."""

    def __init__(self) -> None:
        super().__init__()
        self.ld: list[dict[str, Any]] = []
        self.tel: list[str] = []
        self.images: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        got = dict(attrs)
        self._in_ld = tag == "script" and got.get("type") == "application/ld+json"
        if tag == "a" and (got.get("href") or "").startswith("tel:"):
            self.tel.append(str(got["href"])[4:])
        if tag == "img":
            self.images.append(str(got.get("src")))

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.ld.append(json.loads(data))
            self._in_ld = False


def _page(data: bytes) -> _Page:
    page = _Page()
    page.feed(data.decode("utf-8"))
    return page


def test_same_seed_same_bytes_other_seed_other_bytes(story: LoadedStory, variant: Variant,
                                                     tmp_path: Path) -> None:
    again = generate_variant(story, 4, tmp_path / "again")
    assert again.sha256 == variant.sha256 and again.values == variant.values
    other = generate_variant(story, 5, tmp_path / "other")
    assert other.sha256["pages"] != variant.sha256["pages"]


def test_the_person_reuses_handle_and_avatar_and_each_decoy_is_someone_else(
        variant: Variant) -> None:
    files = _zip(variant)
    pages = variant.values["pages"]
    handle = pages["handle"]
    forum, seller = (_page(files[pages[k]]) for k in ("forum_page", "seller_page"))
    assert forum.ld[0]["mainEntity"]["alternateName"] == handle
    assert seller.ld[0]["mainEntity"]["alternateName"] == handle
    assert seller.ld[0]["mainEntity"]["address"]["addressLocality"] == pages["city"] == "Lviv"
    assert seller.tel == [pages["phone"]]
    avatars = [files[str(Path(pages[k]).parent / p.images[0])]
               for k, p in (("forum_page", forum), ("seller_page", seller))]
    assert hashlib.sha256(avatars[0]).hexdigest() == pages["avatar_sha256"]
    assert avatars[0] == avatars[1]
    assert f"Lot {pages['lot']}:" in files[pages["seller_page"]].decode()
    assert f"https://hovir.example/{pages['channel']}" in files[pages["forum_page"]].decode()
    decoys = pages["decoys"]
    assert len(decoys) == 3 and len({d["handle"] for d in decoys} | {handle}) == 4
    for decoy in decoys:
        page = _page(files[f"snapshots/market/seller-{decoy['handle']}.html"])
        assert page.tel == [decoy["phone"]] and decoy["phone"] != pages["phone"]
        assert decoy["city"] != pages["city"] and decoy["email"] != pages["email"]
        image = files[f"snapshots/market/seller-{decoy['handle']}_files/" +
                      page.images[0].split("/")[-1]]
        assert hashlib.sha256(image).hexdigest() != pages["avatar_sha256"]
        assert str(pages["lot"]) not in files[
            f"snapshots/market/seller-{decoy['handle']}.html"].decode()


def test_the_channel_export_marks_the_e_mail_and_the_phone(variant: Variant) -> None:
    pages = variant.values["pages"]
    export = json.loads(_zip(variant)[pages["channel_export"]])
    assert export["type"] == "public_channel"
    entities = [e for m in export["messages"] for e in m["text_entities"]]
    assert {"type": "email", "text": pages["email"]} in entities
    assert {"type": "phone", "text": pages["phone_national"]} in entities
    times = [m["date_unixtime"] for m in export["messages"]]
    assert times == sorted(times)  # a channel's history runs forward


def test_the_capture_log_hashes_every_saved_page(variant: Variant) -> None:
    files = _zip(variant)
    rows = files["snapshots/capture-log.csv"].decode().splitlines()
    assert rows[0] == "saved_utc,url,file,sha256" and len(rows) == 1 + 3 * 4
    for row in rows[1:]:
        _saved, url, name, digest = row.split(",")
        assert hashlib.sha256(files[f"snapshots/{name}"]).hexdigest() == digest
        if name.endswith(".html"):  # the browser's saved-from comment names the same URL
            assert f"<!-- saved from url=({len(url):04d}){url} -->" in files[
                f"snapshots/{name}"].decode()
    assert [r.split(",")[0] for r in rows[1:]] == sorted(r.split(",")[0] for r in rows[1:])


def test_unzip_lists_the_archive_the_trainee_gets(variant: Variant, tmp_path: Path) -> None:
    done = subprocess.run([tool("unzip"), "-q", str(variant.files["pages"]), "-d",
                           str(tmp_path)], capture_output=True, text=True, check=True)
    assert done.stderr == ""
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) \
        == variant.values["pages"]["files"]


@pytest.mark.parametrize("typed", ["+380671234567", "+380 67 123 45 67", "067 123-45-67",
                                   "(067) 123 45 67", "380671234567", "0671234567"])
def test_the_phone_pattern_takes_every_usual_form(typed: str) -> None:
    assert re.match(phone_pattern("+380671234567"), typed)
    assert national("+380671234567") == "+380 67 123 45 67"


@pytest.mark.parametrize("typed", ["+380671234568", "067 123 45 6", "+79671234567", "671234567"])
def test_the_phone_pattern_refuses_other_numbers(typed: str) -> None:
    assert not re.match(phone_pattern("+380671234567"), typed)


def test_lookalikes_never_name_the_person() -> None:
    for seed in range(200):
        for handle in ("krot77", "sova_foto", "yizhak", "lis_maks"):
            names = lookalikes(handle, 4, rng_for(seed, "t"))
            assert len(names) == 4 == len(set(names)) and handle not in names


def test_a_place_without_a_city_is_an_error_naming_the_places(tmp_path: Path) -> None:
    path = tmp_path / "story.yaml"
    path.write_text(textwrap.dedent(STORY).replace("place: lviv-rynok\n    lot", "place: "
                                                   "vienna-stephansdom\n    lot"), "utf-8")
    with pytest.raises(InputError, match="no city for place 'vienna-stephansdom'") as caught:
        generate_variant(load_story(path), 1, tmp_path / "out")
    assert "kyiv" in (caught.value.fix or "")


def _exif(path: Path) -> dict[str, Any]:
    out = subprocess.run([tool("exiftool"), "-j", "-n", str(path)], capture_output=True,
                         text=True, check=True).stdout
    return dict(json.loads(out)[0])


def test_exiftool_reads_stripped_gps_serial_and_local_time(variant: Variant) -> None:
    stripped, kept = (_exif(variant.files[k]) for k in ("stripped", "kept"))
    assert not any(k.startswith("GPS") for k in stripped)
    for key in ("stripped", "kept"):  # -s3: the value as written (JSON would drop the 0)
        serial = subprocess.run([tool("exiftool"), "-s3", "-SerialNumber",
                                 str(variant.files[key])], capture_output=True, text=True,
                                check=True).stdout.strip()
        assert serial == "031234567890" == variant.values[key]["serial"]
    values = variant.values["kept"]
    assert kept["DateTimeOriginal"] == "2024:03:10 09:14:32"  # the camera's clock, UTC+2
    assert kept["OffsetTimeOriginal"] == "+02:00" == values["offset"]
    assert kept["GPSDateTime"] == "2024:03:10 07:14:32Z"
    assert values["taken"] == "2024-03-10T07:14:32Z"
    assert values["local_time"] == "2024-03-10T09:14:32+02:00"
    assert abs(kept["GPSLatitude"] - values["lat"]) < 1e-5
    assert abs(kept["GPSLongitude"] - values["lon"]) < 1e-5
    assert "lat" not in variant.values["stripped"] and variant.values["stripped"]["gps"] is False


def test_the_default_photo_is_written_as_before(tmp_path: Path) -> None:
    """The new photo options default to what the photo generator wrote before them."""
    from PIL import Image

    path = tmp_path / "story.yaml"
    path.write_text("schema_version: 1\nid: p\noutputs:\n  pic: {kind: photo, place: "
                    "lviv-rynok, taken: '2024-03-15T18:02:10Z'}\n", "utf-8")
    made = generate_variant(load_story(path), 3, tmp_path / "out")
    exif = Image.open(io.BytesIO(made.files["pic"].read_bytes())).getexif()
    assert exif.get_ifd(0x8769)[0x9011] == "+00:00"
    assert exif.get_ifd(0x8769)[0x9003] == "2024:03:15 18:02:10"
    assert 0xA431 not in exif.get_ifd(0x8769) and exif.get_ifd(0x8825)
