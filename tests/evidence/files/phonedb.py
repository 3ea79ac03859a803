"""Phone and browser databases built in the tests with the schemas the apps use (the
columns the extractors read, and a few they ignore)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

MMSSMS = """
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER,
  date INTEGER, date_sent INTEGER DEFAULT 0, protocol INTEGER, read INTEGER DEFAULT 0,
  status INTEGER DEFAULT -1, type INTEGER, subject TEXT, body TEXT, service_center TEXT);
CREATE TABLE pdu (_id INTEGER PRIMARY KEY, thread_id INTEGER, date INTEGER, msg_box INTEGER,
  sub TEXT, m_type INTEGER);
CREATE TABLE part (_id INTEGER PRIMARY KEY, mid INTEGER, seq INTEGER DEFAULT 0, ct TEXT,
  name TEXT, fn TEXT, cl TEXT, text TEXT);
CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, address TEXT, type INTEGER);
"""
CONTACTS = """
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY, mimetype TEXT);
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY, display_name TEXT, deleted INTEGER,
  times_contacted INTEGER, last_time_contacted INTEGER);
CREATE TABLE data (_id INTEGER PRIMARY KEY, mimetype_id INTEGER, raw_contact_id INTEGER,
  data1 TEXT, data2 TEXT);
CREATE TABLE calls (_id INTEGER PRIMARY KEY, number TEXT, date INTEGER, duration INTEGER,
  type INTEGER, name TEXT, geocoded_location TEXT);
"""
CHROME = """
CREATE TABLE urls (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
  visit_count INTEGER, typed_count INTEGER, last_visit_time INTEGER, hidden INTEGER);
CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER,
  from_visit INTEGER, transition INTEGER);
CREATE TABLE downloads (id INTEGER PRIMARY KEY, guid TEXT, current_path TEXT,
  target_path TEXT, start_time INTEGER, received_bytes INTEGER, total_bytes INTEGER,
  state INTEGER, end_time INTEGER, referrer TEXT, tab_url TEXT, mime_type TEXT);
CREATE TABLE downloads_url_chains (id INTEGER, chain_index INTEGER, url TEXT,
  PRIMARY KEY (id, chain_index));
"""
FIREFOX = """
CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
  rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0,
  typed INTEGER DEFAULT 0, frecency INTEGER DEFAULT -1, last_visit_date INTEGER);
CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER,
  visit_date INTEGER, visit_type INTEGER, session INTEGER);
CREATE TABLE moz_anno_attributes (id INTEGER PRIMARY KEY, name VARCHAR(32));
CREATE TABLE moz_annos (id INTEGER PRIMARY KEY, place_id INTEGER, anno_attribute_id INTEGER,
  content LONGVARCHAR, flags INTEGER, expiration INTEGER, type INTEGER, dateAdded INTEGER,
  lastModified INTEGER);
"""
WEBKIT = 11_644_473_600_000_000  # microseconds from 1601 to 1970


def build(path: Path, schema: str, rows: dict[str, list[tuple[object, ...]]]) -> Path:
    db = sqlite3.connect(path)
    db.executescript(schema)
    for table, values in rows.items():
        for row in values:
            db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    db.commit()
    db.close()
    return path


def phone(path: Path) -> Path:
    """An mmssms.db-like store with SMS both ways and one MMS with a picture."""
    return build(path, MMSSMS, {
        "sms": [(1, 1, "+380501112233", None, 1700000000123, 1700000000000, 0, 1, -1, 1, None,
                 "Meet at the station at 9", None),
                (2, 1, "+380501112233", None, 1700000060456, 0, 0, 1, -1, 2, None,
                 "OK, bring the drive", None)],
        "pdu": [(1, 1, 1700000100, 1, "photo", 132)],
        "part": [(1, 1, 0, "application/smil", None, None, "smil.xml", "<smil/>"),
                 (2, 1, 1, "text/plain", None, None, "text_0.txt", "here it is"),
                 (3, 1, 2, "image/jpeg", "IMG_0042.jpg", None, "IMG_0042.jpg", None)],
        "addr": [(1, 1, "+380501112233", 137), (2, 1, "insert-address-token", 151)],
    })


def contacts(path: Path) -> Path:
    """A contacts2.db-like store: two contacts (one marked deleted) and a call log."""
    mt = {"name": 1, "phone": 2, "email": 3}
    return build(path, CONTACTS, {
        "mimetypes": [(1, "vnd.android.cursor.item/name"),
                      (2, "vnd.android.cursor.item/phone_v2"),
                      (3, "vnd.android.cursor.item/email_v2")],
        "raw_contacts": [(1, "Ivan Petrenko", 0, 12, 1700000000000), (2, "Dark Seller", 1, 3, 0)],
        "data": [(1, mt["name"], 1, "Ivan Petrenko", None), (2, mt["phone"], 1, "+380501112233", 2),
                 (3, mt["email"], 1, "ivan@example.org", 1), (4, mt["phone"], 2, "+4915112345", 2),
                 (5, mt["name"], 2, "Dark Seller", None)],
        "calls": [(1, "+380501112233", 1700000200000, 65, 2, "Ivan Petrenko", "Kyiv"),
                  (2, "+4915112345", 1700000300000, 0, 3, None, None)],
    })


def chrome(path: Path) -> Path:
    """A Chrome History with a redirect chain to a downloaded file."""
    t = WEBKIT + 1_700_000_000_000_000
    return build(path, CHROME, {
        "urls": [(1, "https://mail.example.com/", "Inbox", 3, 1, t, 0),
                 (2, "https://files.example.net/report.zip", "", 1, 0, t + 5_000_000, 0)],
        "visits": [(1, 1, t - 1_000_000, 0, 0x30000001), (2, 2, t + 5_000_000, 1, 0x00000000)],
        "downloads": [(1, "g", "/home/u/Downloads/report.zip.crdownload",
                       "/home/u/Downloads/report.zip", t + 6_000_000, 4096, 4096, 1,
                       t + 9_000_000, "https://mail.example.com/", "", "application/zip")],
        "downloads_url_chains": [(1, 0, "https://short.example/x"),
                                 (1, 1, "https://files.example.net/report.zip")],
    })


def firefox(path: Path) -> Path:
    """A places.sqlite with history and a download recorded as annotations."""
    t = 1_700_000_000_000_000
    meta = '{"state":1,"endTime":1700000009000,"fileSize":2048}'
    return build(path, FIREFOX, {
        "moz_places": [(1, "https://news.example/", "News", "elpmaxe.swen.", 2, 0, 1, 100, t),
                       (2, "https://dl.example/tool.exe", "", "elpmaxe.ld.", 1, 0, 0, 10, t + 1)],
        "moz_historyvisits": [(1, 0, 1, t - 5, 2, 0), (2, 1, 2, t + 1, 7, 0)],
        "moz_anno_attributes": [(1, "downloads/destinationFileURI"), (2, "downloads/metaData")],
        "moz_annos": [(1, 2, 1, "file:///home/u/Downloads/tool%20v2.exe", 0, 4, 3, t + 2, t + 2),
                      (2, 2, 2, meta, 0, 4, 3, t + 2, t + 2)],
    })
