"""``firefox-history``: the sqlite3 shell and dflab's firefox analyzer read back what the
generator says it wrote, pages open in the story's order, and a seed repeats its bytes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runner.generate.story import LoadedStory, load_story
from runner.generate.variant import Variant, generate_variant
from runner.scenario.problems import ScenarioError

STORY = """\
schema_version: 1
id: places-test
variables:
  shop: {onion: v3}
  drop: {onion: v3}
  visits: {range: [3, 6]}
outputs:
  places:
    kind: firefox-history
    time: "2026-02-10T20:00:00Z"
    hours: 1
    filler: 10
    visits:
      - {url: "http://{{shop}}/", title: "Shop", count: "{{visits}}", typed: true}
      - {url: "http://{{shop}}/item/7", title: "Item 7", count: 2}
      - {url: "http://{{shop}}/order/9", title: "Order 9"}
    bookmarks: [{url: "http://{{shop}}/", title: "Shop"}]
    download:
      url: "http://{{drop}}/f/loot%20pack.zip"
      target_path: "/home/ann/tor-browser/Browser/Downloads/loot pack.zip"
      size: 4242
      referrer: "http://{{shop}}/order/9"
"""


def sqlite(db: Path, query: str) -> list[list[str]]:
    """Rows the sqlite3 shell prints (the test fails, not skips, without it)."""
    path = shutil.which("sqlite3")
    assert path, "reference tool 'sqlite3' is missing: see tools/system-packages.txt"
    out = subprocess.run([path, str(db), query], capture_output=True, text=True,
                         check=True).stdout
    return [line.split("|") for line in out.splitlines()]


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> LoadedStory:
    path = tmp_path_factory.mktemp("story") / "story.yaml"
    path.write_text(STORY, encoding="utf-8")
    return load_story(path)


@pytest.fixture(scope="module", params=[1, 2, 3])
def variant(story: LoadedStory, tmp_path_factory: pytest.TempPathFactory,
            request: pytest.FixtureRequest) -> Variant:
    return generate_variant(story, request.param, tmp_path_factory.mktemp("v"))


def _iso(microseconds: str) -> str:
    from datetime import UTC, datetime
    return datetime.fromtimestamp(int(microseconds) // 1_000_000, UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_visit_counts_and_first_visits_read_by_sqlite3(variant: Variant) -> None:
    db, values = variant.files["places"], variant.values["places"]
    for page in values["pages"]:
        ((count, typed, first),) = sqlite(db, (
            "SELECT p.visit_count, p.typed, MIN(v.visit_date) FROM moz_places p JOIN "
            f"moz_historyvisits v ON v.place_id = p.id WHERE p.url = '{page['url']}'"))
        assert int(count) == page["count"] and _iso(first) == page["first_visit"]
        assert typed == ("1" if page["title"] == "Shop" else "0")
    assert sqlite(db, "SELECT count(*) FROM moz_historyvisits") == [[str(values["visits"])]]
    # a site's front page is opened before its inner pages
    firsts = [p["first_visit"] for p in values["pages"]]
    assert firsts == sorted(firsts)
    # visits are numbered in time order, as Firefox inserts them
    dates = [int(d) for (d,) in sqlite(db, "SELECT visit_date FROM moz_historyvisits ORDER BY id")]
    assert dates == sorted(dates)
    shop = values["pages"][0]["url"].split("/")[2]
    assert sqlite(db, f"SELECT DISTINCT rev_host FROM moz_places WHERE url LIKE '%{shop}%'") == [
        [shop[::-1] + "."]]
    assert sqlite(db, "SELECT b.title, p.url FROM moz_bookmarks b JOIN moz_places p ON "
                      "p.id = b.fk WHERE b.type = 1") == [["Shop", values["pages"][0]["url"]]]


def test_download_annotations_and_the_visit_it_came_from(variant: Variant) -> None:
    db, dl = variant.files["places"], variant.values["places"]["download"]
    rows = dict(sqlite(db, "SELECT n.name, a.content FROM moz_annos a JOIN moz_anno_attributes "
                           "n ON n.id = a.anno_attribute_id JOIN moz_places p ON p.id = "
                           f"a.place_id WHERE p.url = '{dl['url']}'"))
    assert rows["downloads/destinationFileURI"] == (
        "file:///home/ann/tor-browser/Browser/Downloads/loot%20pack.zip")
    meta = json.loads(rows["downloads/metaData"])
    assert (meta["state"], meta["fileSize"]) == (1, 4242)
    assert _iso(str(meta["endTime"] * 1000)) == dl["end_time"]
    ((visit, came_from, page),) = sqlite(db, (
        "SELECT d.id, d.from_visit, p.url FROM moz_historyvisits d JOIN moz_historyvisits r "
        "ON r.id = d.from_visit JOIN moz_places p ON p.id = r.place_id WHERE d.visit_type = 7"))
    assert page == dl["referrer"] and int(came_from) == dl["from_visit"]
    assert int(visit) > int(came_from)
    assert sqlite(db, "PRAGMA user_version") == [["75"]]


def test_dflab_firefox_facts_agree(variant: Variant, cli: Any) -> None:
    result = cli("facts", str(variant.files["places"]), "--only", "firefox", "--json")
    assert result.code == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    dl = variant.values["places"]["download"]
    (download,) = tables["firefox.downloads"]
    assert (download["url"], download["path"], download["size"], download["state"]) == (
        dl["url"], dl["target_path"], 4242, "complete")
    assert download["start_time"].startswith(dl["start_time"].rstrip("Z"))
    (kind,) = {v["visit_type"] for v in tables["firefox.visits"] if v["url"] == dl["url"]}
    assert kind == "download"


def test_a_seed_repeats_its_bytes_and_another_differs(story: LoadedStory,
                                                      tmp_path: Path) -> None:
    one = generate_variant(story, 5, tmp_path / "a")
    assert generate_variant(story, 5, tmp_path / "b").sha256 == one.sha256
    assert generate_variant(story, 6, tmp_path / "c").sha256 != one.sha256


def test_a_download_from_a_page_never_visited_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(STORY.replace('referrer: "http://{{shop}}/order/9"',
                                  'referrer: "http://{{shop}}/elsewhere"'), encoding="utf-8")
    with pytest.raises(ScenarioError, match="not one of the visits"):
        load_story(path)
