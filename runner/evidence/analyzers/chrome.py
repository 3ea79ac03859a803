"""Chrome/Chromium History: visited URLs, visits, downloads."""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from runner.evidence.analyzers.base import Field
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import timefmt
from runner.evidence.artifacts.extract import SqlExtractor
from runner.evidence.artifacts.sqlitedb import columns, integer, text

# ui::PageTransition core types (transition & 0xff)
TRANSITIONS = {0: "link", 1: "typed", 2: "auto_bookmark", 3: "auto_subframe",
               4: "manual_subframe", 5: "generated", 6: "auto_toplevel", 7: "form_submit",
               8: "reload", 9: "keyword", 10: "keyword_generated"}
# history::DownloadState
STATES = {0: "in_progress", 1: "complete", 2: "cancelled", 3: "interrupted", 4: "interrupted"}
_TIME = "UTC ISO 8601 with nanoseconds ('' when 0)"


@register
class ChromeAnalyzer(SqlExtractor):
    name = "chrome"
    version = "1"
    description = "Chrome History: URLs, visits, downloads"
    needs: ClassVar[dict[str, frozenset[str]]] = {
        "urls": frozenset({"id", "url", "title", "visit_count", "last_visit_time"}),
        "visits": frozenset({"id", "url", "visit_time"}),
    }
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "urls": (
            Field("id", "int", "urls.id"),
            Field("url", "str", "URL"),
            Field("title", "str", "page title"),
            Field("visit_count", "int", "visits"),
            Field("typed_count", "int", "times typed in the address bar"),
            Field("last_visit", "str",
                  f"last_visit_time (WebKit: microseconds since 1601); {_TIME}"),
        ),
        "visits": (
            Field("id", "int", "visits.id"),
            Field("url", "str", "URL visited"),
            Field("title", "str", "page title"),
            Field("time", "str", f"visit_time; {_TIME}"),
            Field("transition", "str", "how the visit began: link, typed, reload, form_submit..."),
            Field("from_visit", "int", "the visit it came from (0 when none)"),
        ),
        "downloads": (
            Field("id", "int", "downloads.id"),
            Field("path", "str", "where it was saved (target_path, or full_path in old files)"),
            Field("url", "str", "downloaded URL (last of the redirect chain)"),
            Field("referrer", "str", "referring page ('' in old files)"),
            Field("start_time", "str", f"start; {_TIME} (old files: Unix seconds, converted)"),
            Field("end_time", "str", f"end; {_TIME}"),
            Field("received_bytes", "int", "bytes received"),
            Field("total_bytes", "int", "bytes expected"),
            Field("state", "str", "in_progress, complete, cancelled, interrupted"),
            Field("mime_type", "str", "MIME type ('' in old files)"),
        ),
    }

    def extract(self, db: sqlite3.Connection, present: set[str]) -> None:
        typed = "typed_count" if "typed_count" in columns(db, "urls") else "0"
        for r in self.query(db, f"SELECT id, url, title, visit_count, {typed} AS typed, "
                            "last_visit_time FROM urls ORDER BY id"):
            self.rows["urls"].append({
                "id": integer(r["id"]), "url": text(r["url"]), "title": text(r["title"]),
                "visit_count": integer(r["visit_count"]), "typed_count": integer(r["typed"]),
                "last_visit": timefmt.webkit_us(r["last_visit_time"]),
            })
        for r in self.query(db, "SELECT v.id AS id, u.url AS url, u.title AS title, v.visit_time "
                            "AS t, v.transition AS tr, v.from_visit AS fv FROM visits v LEFT "
                            "JOIN urls u ON u.id = v.url ORDER BY v.id"):
            core = integer(r["tr"], 0) & 0xFF
            self.rows["visits"].append({
                "id": integer(r["id"]), "url": text(r["url"]), "title": text(r["title"]),
                "time": timefmt.webkit_us(r["t"]), "transition": TRANSITIONS.get(core, str(core)),
                "from_visit": integer(r["fv"], 0),
            })
        if "downloads" in present:
            self._downloads(db, present)

    def _downloads(self, db: sqlite3.Connection, present: set[str]) -> None:
        cols = columns(db, "downloads")
        if "target_path" in cols:  # Chrome 26 and later: WebKit times, URL chain table
            chain = "(SELECT c.url FROM downloads_url_chains c WHERE c.id = d.id ORDER BY " \
                "c.chain_index DESC LIMIT 1)" if "downloads_url_chains" in present else "''"
            opt = {c: c if c in cols else "''" for c in ("referrer", "mime_type", "end_time")}
            sql = (f"SELECT d.id AS id, d.target_path AS path, {chain} AS url, {opt['referrer']} "
                   f"AS ref, d.start_time AS st, {opt['end_time']} AS et, d.received_bytes AS rb,"
                   f" d.total_bytes AS tb, d.state AS s, {opt['mime_type']} AS mt FROM "
                   "downloads d ORDER BY d.id")
            convert = timefmt.webkit_us
        elif {"full_path", "url"} <= cols:
            sql = ("SELECT id, full_path AS path, url, '' AS ref, start_time AS st, 0 AS et, "
                   "received_bytes AS rb, total_bytes AS tb, state AS s, '' AS mt FROM downloads "
                   "ORDER BY id")
            convert = timefmt.unix_s
        else:
            self.note("downloads table of an unknown layout; downloads not read")
            return
        for r in self.query(db, sql):
            state = integer(r["s"])
            self.rows["downloads"].append({
                "id": integer(r["id"]), "path": text(r["path"]), "url": text(r["url"]),
                "referrer": text(r["ref"]), "start_time": convert(r["st"]),
                "end_time": convert(r["et"]), "received_bytes": integer(r["rb"]),
                "total_bytes": integer(r["tb"]), "state": STATES.get(state, str(state)),
                "mime_type": text(r["mt"]),
            })
