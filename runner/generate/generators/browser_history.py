"""``browser-history``: a Chrome ``History`` database with visits and one download of a
file the story names.

The tables and columns are Chrome's own (``urls``, ``visits``, ``downloads``,
``downloads_url_chains``, ``meta``), with times in WebKit microseconds since 1601-01-01
UTC, so the queries and tools trainees use on real profiles work unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when, sqlite_bytes, times_between
from runner.scenario.model import Strict

WEBKIT_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,
 visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,
 last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,
 visit_time INTEGER NOT NULL,from_visit INTEGER,transition INTEGER DEFAULT 0 NOT NULL,
 segment_id INTEGER,visit_duration INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE downloads (id INTEGER PRIMARY KEY,guid VARCHAR NOT NULL,
 current_path LONGVARCHAR NOT NULL,target_path LONGVARCHAR NOT NULL,start_time INTEGER NOT NULL,
 received_bytes INTEGER NOT NULL,total_bytes INTEGER NOT NULL,state INTEGER NOT NULL,
 danger_type INTEGER NOT NULL,interrupt_reason INTEGER NOT NULL,hash BLOB NOT NULL,
 end_time INTEGER NOT NULL,opened INTEGER NOT NULL,last_access_time INTEGER NOT NULL,
 transient INTEGER NOT NULL,referrer VARCHAR NOT NULL,site_url VARCHAR NOT NULL,
 tab_url VARCHAR NOT NULL,tab_referrer_url VARCHAR NOT NULL,http_method VARCHAR NOT NULL,
 by_ext_id VARCHAR NOT NULL,by_ext_name VARCHAR NOT NULL,etag VARCHAR NOT NULL,
 last_modified VARCHAR NOT NULL,mime_type VARCHAR(255) NOT NULL,
 original_mime_type VARCHAR(255) NOT NULL);
CREATE TABLE downloads_url_chains (id INTEGER NOT NULL,chain_index INTEGER NOT NULL,
 url LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index));
"""
SITES = [("https://www.google.com/", "Google"), ("https://mail.google.com/mail/u/0/", "Inbox"),
         ("https://www.youtube.com/", "YouTube"), ("https://uk.wikipedia.org/", "Вікіпедія"),
         ("https://www.pravda.com.ua/", "Українська правда"), ("https://github.com/", "GitHub"),
         ("https://rozetka.com.ua/", "ROZETKA"), ("https://www.olx.ua/", "OLX")]


class Visit(Strict):
    url: str = Field(pattern=r"^https?://", max_length=2000)
    title: str = Field("", max_length=500)


class Download(Strict):
    url: str = Field(pattern=r"^https?://", max_length=2000, description="Where it came from.")
    target_path: str = Field(max_length=500, description="Where it was saved.")
    size: int = Field(48_213, ge=0, description="Bytes.")
    mime_type: str = Field("application/zip", max_length=100)
    referrer: str = Field("", max_length=2000, description="Page that linked it.")


class BrowserParams(Strict):
    time: str = Field("2024-03-12T08:00:00Z", description="Start of the browsing period.")
    hours: float = Field(48, gt=0, le=24 * 3650)
    filler: int = Field(25, ge=0, le=10_000, description="Ordinary visits, drawn.")
    visits: list[Visit] = Field(default_factory=list, description="Visits the story names.")
    download: Download


def webkit(moment: datetime) -> int:
    """Microseconds since 1601-01-01 UTC (Chrome's time stamps)."""
    return (moment - WEBKIT_EPOCH) // timedelta(microseconds=1)


class BrowserHistoryGenerator(Generator):
    kind: ClassVar[str] = "browser-history"
    Params: ClassVar[type[BaseModel]] = BrowserParams
    suffix: ClassVar[str] = ".sqlite"
    evidence_kind: ClassVar[str] = "sqlite"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, BrowserParams)
        rng = ctx.rng("browser")
        start = parse_when(params.time, f"output '{ctx.output}'")
        dl = params.download
        story = [(v.url, v.title) for v in params.visits]
        if dl.referrer:
            story.append((dl.referrer, ""))
        drawn = [rng.choice(SITES) for _ in range(params.filler)]
        order = drawn + story
        times = times_between(rng, start, params.hours, len(order) + 1)
        # the story's visits come last, in the order given, the download right after them
        urls: dict[str, list[Any]] = {}
        visits = []
        for index, ((url, title), when) in enumerate(zip(order, times, strict=False), 1):
            row = urls.setdefault(url, [len(urls) + 1, url, title or url, 0, 0, 0, 0])
            row[3] += 1
            row[5] = webkit(when)
            visits.append((index, row[0], webkit(when), 0, 805306368 if index == 1 else 0, 0,
                           rng.randint(1, 600) * 1_000_000))
        started = times[-1]
        ended = started + timedelta(seconds=rng.randint(2, 40))
        guid = f"{rng.getrandbits(128):032x}"
        guid = f"{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:]}".upper()
        site = "/".join(dl.url.split("/")[:3]) + "/"
        download = (1, guid, dl.target_path, dl.target_path, webkit(started), dl.size, dl.size, 1,
                    0, 0, b"", webkit(ended), 0, 0, 0, dl.referrer, site, dl.referrer or dl.url,
                    "", "GET", "", "", "", "", dl.mime_type, dl.mime_type)
        out.write_bytes(sqlite_bytes(SCHEMA, {
            "meta": [("version", "62"), ("last_compatible_version", "16")],
            "urls": [tuple(r) for r in urls.values()], "visits": visits,
            "downloads": [download], "downloads_url_chains": [(1, 0, dl.url)]}))
        return {ctx.output: {
            "visits": len(visits), "urls": len(urls),
            "download": {"url": dl.url, "target_path": dl.target_path, "size": dl.size,
                         "file_name": dl.target_path.replace("\\", "/").rsplit("/", 1)[-1],
                         "domain": dl.url.split("/")[2], "start_time": iso(started),
                         "end_time": iso(ended), "referrer": dl.referrer,
                         "mime_type": dl.mime_type},
        }}
