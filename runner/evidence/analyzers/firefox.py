"""Firefox places.sqlite: history (places and visits) and downloads."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

from runner.evidence.analyzers.base import Field
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import timefmt
from runner.evidence.artifacts.extract import SqlExtractor
from runner.evidence.artifacts.sqlitedb import integer, text

# nsINavHistoryService TRANSITION_* values
VISIT_TYPES = {1: "link", 2: "typed", 3: "bookmark", 4: "embed", 5: "redirect_permanent",
               6: "redirect_temporary", 7: "download", 8: "framed_link", 9: "reload"}
STATES = {0: "in_progress", 1: "complete", 2: "failed", 3: "cancelled", 4: "paused"}
_TIME = "UTC ISO 8601 with nanoseconds ('' when none)"


@register
class FirefoxAnalyzer(SqlExtractor):
    name = "firefox"
    version = "1"
    description = "Firefox places.sqlite: places, visits, downloads"
    needs: ClassVar[dict[str, frozenset[str]]] = {
        "moz_places": frozenset({"id", "url", "title", "visit_count"}),
        "moz_historyvisits": frozenset({"id", "place_id", "visit_date"}),
    }
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "places": (
            Field("id", "int", "moz_places.id"),
            Field("url", "str", "URL"),
            Field("title", "str", "page title"),
            Field("visit_count", "int", "visits"),
            Field("typed", "bool", "typed in the address bar"),
            Field("last_visit", "str", f"last_visit_date (microseconds since 1970); {_TIME}"),
        ),
        "visits": (
            Field("id", "int", "moz_historyvisits.id"),
            Field("url", "str", "URL visited"),
            Field("title", "str", "page title"),
            Field("time", "str", f"visit_date; {_TIME}"),
            Field("visit_type", "str", "link, typed, bookmark, redirect_permanent, download..."),
            Field("from_visit", "int", "the visit it came from (0 when none)"),
        ),
        "downloads": (
            Field("url", "str", "downloaded URL"),
            Field("path", "str", "where it was saved (local path)"),
            Field("start_time", "str", f"start (annotation added / startTime); {_TIME}"),
            Field("end_time", "str", f"end; {_TIME}"),
            Field("size", "int", "bytes (-1 when not recorded)"),
            Field("state", "str", "complete, failed, cancelled, paused, in_progress ('' unknown)"),
            Field("source", "str", "moz_annos (Firefox 20+) or moz_downloads (older)"),
        ),
    }

    def extract(self, db: sqlite3.Connection, present: set[str]) -> None:
        for r in self.query(db, "SELECT id, url, title, visit_count, typed, last_visit_date "
                            "FROM moz_places ORDER BY id"):
            self.rows["places"].append({
                "id": integer(r["id"]), "url": text(r["url"]), "title": text(r["title"]),
                "visit_count": integer(r["visit_count"]), "typed": integer(r["typed"], 0) == 1,
                "last_visit": timefmt.unix_us(r["last_visit_date"]),
            })
        for r in self.query(db, "SELECT v.id AS id, p.url AS url, p.title AS title, v.visit_date "
                            "AS t, v.visit_type AS vt, v.from_visit AS fv FROM moz_historyvisits v "
                            "LEFT JOIN moz_places p ON p.id = v.place_id ORDER BY v.id"):
            vt = integer(r["vt"], 0)
            self.rows["visits"].append({
                "id": integer(r["id"]), "url": text(r["url"]), "title": text(r["title"]),
                "time": timefmt.unix_us(r["t"]), "visit_type": VISIT_TYPES.get(vt, str(vt)),
                "from_visit": integer(r["fv"], 0),
            })
        if {"moz_annos", "moz_anno_attributes"} <= present:
            self._anno_downloads(db)
        if "moz_downloads" in present:
            self._legacy_downloads(db)

    def _anno_downloads(self, db: sqlite3.Connection) -> None:
        found: dict[str, dict[str, Any]] = {}
        for r in self.query(db, "SELECT p.url AS url, n.name AS name, a.content AS content, "
                            "a.dateAdded AS added FROM moz_annos a JOIN moz_anno_attributes n "
                            "ON n.id = a.anno_attribute_id JOIN moz_places p ON p.id = a.place_id "
                            "WHERE n.name LIKE 'downloads/%' ORDER BY a.id"):
            row = found.setdefault(text(r["url"]), {
                "url": text(r["url"]), "path": "", "start_time": timefmt.unix_us(r["added"]),
                "end_time": "", "size": -1, "state": "", "source": "moz_annos"})
            if r["name"] == "downloads/destinationFileURI":
                row["path"] = unquote(urlsplit(text(r["content"])).path)
            elif r["name"] == "downloads/metaData":
                self._metadata(row, text(r["content"]))
        self.rows["downloads"].extend(found.values())

    def _metadata(self, row: dict[str, Any], content: str) -> None:
        try:
            meta = json.loads(content)
        except ValueError:
            self.note(f"download metadata of {row['url']} is not JSON")
            return
        if isinstance(meta, dict):
            row["size"] = integer(meta.get("fileSize"))
            row["end_time"] = timefmt.unix_ms(meta.get("endTime"))
            row["state"] = STATES.get(integer(meta.get("state")), "")

    def _legacy_downloads(self, db: sqlite3.Connection) -> None:
        for r in self.query(db, "SELECT source, target, startTime, endTime, maxBytes, state "
                            "FROM moz_downloads ORDER BY id"):
            self.rows["downloads"].append({
                "url": text(r["source"]), "path": unquote(urlsplit(text(r["target"])).path),
                "start_time": timefmt.unix_us(r["startTime"]),
                "end_time": timefmt.unix_us(r["endTime"]), "size": integer(r["maxBytes"]),
                "state": STATES.get(integer(r["state"]), ""), "source": "moz_downloads",
            })
