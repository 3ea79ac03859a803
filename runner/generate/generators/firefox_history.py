"""``firefox-history``: a Firefox (or Tor Browser) ``places.sqlite`` with visits, bookmarks
and one download of a file the story names.

Tor Browser is Firefox ESR, so its profile keeps the same ``places.sqlite``: ``moz_places``
(one row per URL, ``rev_host`` the host reversed), ``moz_historyvisits`` (one row per
visit, ``from_visit`` linking a page to the one it was opened from), ``moz_bookmarks`` and
the download's ``moz_annos`` (``downloads/destinationFileURI``, ``downloads/metaData``).
Times are PRTime, microseconds since 1970-01-01 UTC; the metadata's ``endTime`` is in
milliseconds, as Firefox writes it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, Field

from runner.errors import InputError
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when, sqlite_bytes, times_between
from runner.scenario.model import Strict

# The tables of Firefox ESR 115's places schema that history, bookmarks and downloads use.
SCHEMA = """
PRAGMA user_version = 75;
CREATE TABLE moz_origins (id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, host TEXT NOT NULL,
 frecency INTEGER NOT NULL, recalc_frecency INTEGER NOT NULL DEFAULT 0,
 alt_frecency INTEGER, recalc_alt_frecency INTEGER NOT NULL DEFAULT 0, UNIQUE (prefix, host));
CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
 rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,
 typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,
 last_visit_date INTEGER , guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL,
 url_hash INTEGER DEFAULT 0 NOT NULL , description TEXT, preview_image_url TEXT,
 site_name TEXT, origin_id INTEGER REFERENCES moz_origins(id),
 recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER,
 recalc_alt_frecency INTEGER NOT NULL DEFAULT 0);
CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER,
 place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER,
 source INTEGER DEFAULT 0 NOT NULL, triggeringPlaceId INTEGER);
CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, type INTEGER, fk INTEGER DEFAULT NULL,
 parent INTEGER, position INTEGER, title LONGVARCHAR, keyword_id INTEGER,
 folder_type TEXT, dateAdded INTEGER, lastModified INTEGER, guid TEXT,
 syncStatus INTEGER NOT NULL DEFAULT 0, syncChangeCounter INTEGER NOT NULL DEFAULT 1);
CREATE TABLE moz_anno_attributes (id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL);
CREATE TABLE moz_annos (id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL,
 anno_attribute_id INTEGER, content LONGVARCHAR, flags INTEGER DEFAULT 0,
 expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0,
 lastModified INTEGER DEFAULT 0);
CREATE TABLE moz_meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
CREATE INDEX moz_places_hostindex ON moz_places (rev_host);
CREATE INDEX moz_historyvisits_placedateindex ON moz_historyvisits (place_id, visit_date);
"""
LINK, TYPED, DOWNLOAD = 1, 2, 7  # nsINavHistoryService TRANSITION_* values
# Clearnet pages a Tor Browser user opens besides onion services.
SITES = [("https://duckduckgo.com/", "DuckDuckGo — Privacy, simplified."),
         ("https://check.torproject.org/",
          "Congratulations. This browser is configured to use Tor."),
         ("https://en.wikipedia.org/wiki/Monero", "Monero - Wikipedia"),
         ("https://www.bbc.com/news", "Home - BBC News"),
         ("https://support.torproject.org/", "Tor Project | Support"),
         ("https://www.reddit.com/r/onions/", "r/onions"),
         ("https://localmonero.co/", "LocalMonero: Buy or Sell Monero Anonymously")]
_GUID = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class Page(Strict):
    url: str = Field(pattern=r"^https?://", max_length=2000)
    title: str = Field("", max_length=500)
    count: int = Field(1, ge=1, le=1000, description="Times it was visited.")
    typed: bool = Field(False, description="Typed (or pasted) into the address bar.")


class Bookmark(Strict):
    url: str = Field(pattern=r"^https?://", max_length=2000)
    title: str = Field("", max_length=500)


class Download(Strict):
    url: str = Field(pattern=r"^https?://", max_length=2000, description="Where it came from.")
    target_path: str = Field(max_length=500, description="Where it was saved.")
    size: int = Field(48_213, ge=0, description="Bytes.")
    referrer: str = Field(pattern=r"^https?://", max_length=2000,
                          description="The page it was started from (one of 'visits').")


class FirefoxParams(Strict):
    time: str = Field("2024-03-12T20:00:00Z", description="Start of the browsing session.")
    hours: float = Field(2, gt=0, le=24 * 3650)
    filler: int = Field(12, ge=0, le=10_000, description="Clearnet visits, drawn.")
    visits: list[Page] = Field(default_factory=list, description="Pages the story names.")
    bookmarks: list[Bookmark] = Field(default_factory=list)
    download: Download | None = None


def prtime(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC (Firefox's PRTime)."""
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def rev_host(url: str) -> str:
    """``moz_places.rev_host``: the host reversed, with a trailing dot."""
    return (urlsplit(url).hostname or "")[::-1] + "."


def guid(rng: random.Random) -> str:
    """A 12-character Places GUID."""
    return "".join(rng.choice(_GUID) for _ in range(12))


@dataclass
class _Visit:
    url: str
    title: str
    kind: int
    when: datetime
    came_from: _Visit | None = None
    id: int = 0


class FirefoxHistoryGenerator(Generator):
    kind: ClassVar[str] = "firefox-history"
    Params: ClassVar[type[BaseModel]] = FirefoxParams
    suffix: ClassVar[str] = ".sqlite"
    evidence_kind: ClassVar[str] = "sqlite"

    def check(self, params: BaseModel, ctx: GenContext) -> None:
        assert isinstance(params, FirefoxParams)
        dl = params.download
        if dl and dl.referrer not in {p.url for p in params.visits}:
            raise InputError(f"output '{ctx.output}': the download's referrer {dl.referrer} "
                             "is not one of the visits",
                             fix="add the page it was started from under 'visits:'")

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, FirefoxParams)
        rng = ctx.rng("places")
        start = parse_when(params.time, f"output '{ctx.output}'")
        visits = self._session(params, rng, start)
        values: dict[str, Any] = {}
        referrer = None
        if params.download:
            values["download"], referrer = self._download(visits, params.download, rng)
        visits.sort(key=lambda v: v.when)
        db = _Places(rng)
        for number, visit in enumerate(visits, 1):
            visit.id = number
            db.visit(visit, _came_from(visits, number))
        for bookmark in params.bookmarks:
            db.bookmark(bookmark, start)
        if params.download and referrer:
            db.annotate(params.download, values["download"])
            values["download"]["from_visit"] = referrer.id
        values["visits"] = len(visits)
        values["pages"] = [{"url": p.url, "title": p.title, "count": p.count,
                            "first_visit": iso(db.first[p.url]), "last_visit": iso(db.last[p.url])}
                           for p in params.visits]
        out.write_bytes(sqlite_bytes(SCHEMA, db.tables()))
        return {ctx.output: values}

    def _session(self, params: FirefoxParams, rng: random.Random,
                 start: datetime) -> list[_Visit]:
        """The visits in time order: drawn clearnet pages among the story's, each story page
        first opened in the order the story lists them (a site before its inner pages)."""
        order = [(p.url, p.title, p.typed) for p in params.visits for _ in range(p.count)]
        order += [(*rng.choice(SITES), False) for _ in range(params.filler)]
        rng.shuffle(order)
        _first_visits_in_order(order, [p.url for p in params.visits])
        times = times_between(rng, start, params.hours, len(order))
        return [_Visit(url, title, TYPED if typed else LINK, when)
                for (url, title, typed), when in zip(order, times, strict=True)]

    def _download(self, visits: list[_Visit], dl: Download,
                  rng: random.Random) -> tuple[dict[str, Any], _Visit]:
        # the link is clicked on the page's last visit, a little later (check() made sure
        # the page is visited)
        referrer = [v for v in visits if v.url == dl.referrer][-1]
        started = referrer.when + timedelta(seconds=rng.randint(5, 60))
        ended = started + timedelta(seconds=rng.randint(20, 240))
        visits.append(_Visit(dl.url, "", DOWNLOAD, started, referrer))
        name = dl.target_path.replace("\\", "/").rsplit("/", 1)[-1]
        return {"url": dl.url, "target_path": dl.target_path, "file_name": name,
                "host": urlsplit(dl.url).hostname or "", "size": dl.size,
                "start_time": iso(started), "end_time": iso(ended),
                "referrer": dl.referrer}, referrer


def _first_visits_in_order(order: list[tuple[str, str, bool]], pages: list[str]) -> None:
    """Swap visits so each page is first opened in the order ``pages`` lists them; every
    page keeps its number of visits."""
    expected = iter(pages)
    want = next(expected, None)
    seen: set[str] = set()
    for index, (url, _title, _typed) in enumerate(order):
        if want is None:
            return
        if url not in pages or url in seen:
            continue
        if url != want:  # the wanted page's visits all lie ahead: bring one here
            later = next(j for j in range(index + 1, len(order)) if order[j][0] == want)
            order[index], order[later] = order[later], order[index]
        seen.add(want)
        want = next(expected, None)


def _came_from(visits: list[_Visit], number: int) -> int:
    """``from_visit``: a download names the page it was started on, a link the last page
    of the same site before it (moving inside a site); a typed address names none."""
    visit = visits[number - 1]
    if visit.came_from is not None:
        return visit.came_from.id
    if visit.kind == TYPED:
        return 0
    host = urlsplit(visit.url).hostname
    before = [v.id for v in visits[:number - 1] if urlsplit(v.url).hostname == host]
    return before[-1] if before else 0


class _Places:
    """The rows of one places.sqlite, filled visit by visit in time order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.places: dict[str, list[Any]] = {}
        self.origins: dict[tuple[str, str], int] = {}
        self.visits: list[tuple[Any, ...]] = []
        self.bookmarks: list[tuple[Any, ...]] = []
        self.annos: list[tuple[Any, ...]] = []
        self.first: dict[str, datetime] = {}
        self.last: dict[str, datetime] = {}

    def place(self, url: str, title: str) -> list[Any]:
        if url not in self.places:
            parts = urlsplit(url)
            origin = self.origins.setdefault((f"{parts.scheme}://", parts.netloc),
                                             len(self.origins) + 1)
            self.places[url] = [len(self.places) + 1, url, title or None, rev_host(url), 0, 0,
                                0, 100, None, guid(self.rng), 0, 0, None, None, None, origin,
                                0, None, 0]
        return self.places[url]

    def visit(self, visit: _Visit, came_from: int) -> None:
        row = self.place(visit.url, visit.title)
        row[4] += 1
        row[6] = 1 if visit.kind == TYPED or row[6] else 0
        row[8] = prtime(visit.when)
        self.first.setdefault(visit.url, visit.when)
        self.last[visit.url] = visit.when
        self.visits.append((visit.id, came_from, row[0], prtime(visit.when), visit.kind, 0, 0,
                            0))

    def bookmark(self, bookmark: Bookmark, start: datetime) -> None:
        row = self.place(bookmark.url, bookmark.title)
        row[10] += 1  # foreign_count: the bookmark holds the page
        when = prtime(self.first.get(bookmark.url, start) + timedelta(seconds=20))
        self.bookmarks.append((len(self.bookmarks) + 6, 1, row[0], 3, len(self.bookmarks),
                               bookmark.title, None, None, when, when, guid(self.rng), 1, 1))

    def annotate(self, dl: Download, values: dict[str, Any]) -> None:
        place = self.places[dl.url][0]
        started = prtime(parse_when(values["start_time"], "download"))
        ended = prtime(parse_when(values["end_time"], "download"))
        meta = json.dumps({"state": 1, "deleted": False, "endTime": ended // 1000,
                           "fileSize": dl.size}, separators=(",", ":"))
        target = "file://" + quote(dl.target_path.replace("\\", "/"))
        for attribute, content in ((1, target), (2, meta)):
            self.annos.append((len(self.annos) + 1, place, attribute, content, 0, 4, 3,
                               started, ended if attribute == 2 else started))
    def tables(self) -> dict[str, list[tuple[Any, ...]]]:
        roots = [(1, 2, None, 0, 0, "", None, None, 0, 0, "root________", 1, 1)]
        roots += [(n, 2, None, 1, n - 2, title, None, None, 0, 0, g, 1, 1)
                  for n, title, g in ((2, "menu", "menu________"),
                                      (3, "toolbar", "toolbar_____"),
                                      (4, "tags", "tags________"),
                                      (5, "unfiled", "unfiled_____"))]
        return {
            "moz_origins": [(i, prefix, host, 100, 0, None, 0)
                            for (prefix, host), i in self.origins.items()],
            "moz_places": [tuple(r) for r in self.places.values()],
            "moz_historyvisits": self.visits,
            "moz_bookmarks": roots + self.bookmarks,
            "moz_anno_attributes": [(1, "downloads/destinationFileURI"),
                                    (2, "downloads/metaData")],
            "moz_annos": self.annos,
            "moz_meta": [("origin_frecency_count", len(self.origins))],
        }
