"""SQLite: dflab's tables, row counts, page figures and extracted records agree with the
sqlite3 shell, on the real phone and browser databases and on ones made here. The
shell runs read-only and immutable too; the evidence is never changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evidence.files import phonedb
from evidence.files.conftest import Facts, run_tool, sample, sqlite_rows

DATABASES = ["plaso_android_mmssms.db", "plaso_android_contacts2.db", "plaso_chrome_History",
             "plaso_firefox_places.sqlite", "plaso_imessage_chat.db"]


def check_tables(path: Path, facts: Facts) -> None:
    f = facts(path)
    assert f.warnings == []
    names = sqlite_rows(path, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
    got = {t["name"]: t["rows"] for t in f.tables["sqlite.tables"]}
    assert sorted(got) == [n[0] for n in names]
    for name, rows in got.items():
        count = sqlite_rows(path, f'SELECT count(*) FROM "{name}"')[0][0]
        assert rows == int(count), name
    db = f.tables["sqlite.database"][0]
    for pragma in ("page_size", "page_count", "freelist_count", "user_version"):
        shell = run_tool("sqlite3", "-readonly", f"file:{path}?mode=ro&immutable=1",
                         f"PRAGMA {pragma}")
        assert db[pragma] == int(shell.strip()), pragma


@pytest.mark.parametrize("name", DATABASES)
def test_real_databases_agree_with_sqlite3(name: str, facts: Facts) -> None:
    before = hashlib.sha256(sample(name).read_bytes()).hexdigest()
    check_tables(sample(name), facts)
    assert hashlib.sha256(sample(name).read_bytes()).hexdigest() == before
    assert not Path(f"{sample(name)}-wal").exists()
    assert not Path(f"{sample(name)}-journal").exists()


def test_android_sms_agrees_with_sqlite3(facts: Facts) -> None:
    path = sample("plaso_android_mmssms.db")
    rows = facts(path).tables["android_sms.sms"]
    shell = sqlite_rows(path, "SELECT _id, address, strftime('%Y-%m-%dT%H:%M:%S', date/1000, "
                        "'unixepoch'), type, body FROM sms ORDER BY _id")
    assert [[str(r["id"]), r["address"], r["time"][:19], str(r["type"]), r["body"]]
            for r in rows] == shell
    assert rows[0]["time"] == "2013-10-29T16:56:28.038000000Z"  # milliseconds kept


def test_call_log_agrees_with_sqlite3(facts: Facts) -> None:
    path = sample("plaso_android_contacts2.db")
    rows = facts(path).tables["android_calls.calls"]
    shell = sqlite_rows(path, "SELECT number, strftime('%Y-%m-%dT%H:%M:%S', date/1000, "
                        "'unixepoch'), duration, type, name FROM calls ORDER BY _id")
    assert [[r["number"], r["time"][:19], str(r["duration"]), str(r["type"]), r["name"]]
            for r in rows] == shell


def test_chrome_history_agrees_with_sqlite3(facts: Facts) -> None:
    path = sample("plaso_chrome_History")
    f = facts(path)
    shell = sqlite_rows(path, "SELECT url, strftime('%Y-%m-%dT%H:%M:%S', last_visit_time/1000000"
                        " - 11644473600, 'unixepoch') FROM urls ORDER BY id")
    assert [[r["url"], r["last_visit"][:19]] for r in f.tables["chrome.urls"]] == shell
    downloads = sqlite_rows(path, "SELECT full_path, url, strftime('%Y-%m-%dT%H:%M:%S', "
                            "start_time, 'unixepoch'), received_bytes FROM downloads ORDER BY id")
    assert [[d["path"], d["url"], d["start_time"][:19], str(d["received_bytes"])]
            for d in f.tables["chrome.downloads"]] == downloads
    visits = sqlite_rows(path, "SELECT count(*) FROM visits")[0][0]
    assert len(f.tables["chrome.visits"]) == int(visits)


def test_firefox_places_agrees_with_sqlite3(facts: Facts) -> None:
    path = sample("plaso_firefox_places.sqlite")
    f = facts(path)
    shell = sqlite_rows(path, "SELECT p.url, strftime('%Y-%m-%dT%H:%M:%S', v.visit_date/1000000,"
                        " 'unixepoch') FROM moz_historyvisits v JOIN moz_places p ON p.id = "
                        "v.place_id ORDER BY v.id")
    assert [[v["url"], v["time"][:19]] for v in f.tables["firefox.visits"]] == shell
    assert len(f.tables["firefox.places"]) == 92


def test_imessage_agrees_with_sqlite3(facts: Facts) -> None:
    path = sample("plaso_imessage_chat.db")
    f = facts(path)
    shell = sqlite_rows(path, "SELECT m.ROWID, h.id, strftime('%Y-%m-%dT%H:%M:%S', m.date + "
                        "978307200, 'unixepoch'), m.is_from_me, m.text FROM message m LEFT JOIN "
                        "handle h ON h.ROWID = m.handle_id ORDER BY m.ROWID")
    assert [[str(r["id"]), r["handle"], r["time"][:19],
             "1" if r["direction"] == "sent" else "0", r["text"]]
            for r in f.tables["imessage.messages"]] == shell
    att = f.tables["imessage.attachments"][0]
    assert (att["transfer_name"], att["size"]) == ("sslsplit.der", 712)
    assert f.tables["sqlite.database"][0]["wal"] is True


def test_made_phone_store(tmp_path: Path, facts: Facts) -> None:
    path = phonedb.phone(tmp_path / "mmssms.db")
    f = facts(path)
    check_tables(path, facts)
    sms = f.tables["android_sms.sms"]
    assert [(s["direction"], s["body"]) for s in sms] == [
        ("received", "Meet at the station at 9"), ("sent", "OK, bring the drive")]
    assert sms[0]["time"] == "2023-11-14T22:13:20.123000000Z"
    mms = f.tables["android_sms.mms"][0]
    assert (mms["text"], mms["attachments"], mms["addresses"]) == \
        ("here it is", "IMG_0042.jpg", "+380501112233")


def test_made_contacts_and_calls(tmp_path: Path, facts: Facts) -> None:
    path = phonedb.contacts(tmp_path / "contacts2.db")
    f = facts(path)
    check_tables(path, facts)
    people = {c["name"]: c for c in f.tables["android_contacts.contacts"]}
    assert people["Ivan Petrenko"]["phones"] == "+380501112233"
    assert people["Ivan Petrenko"]["emails"] == "ivan@example.org"
    assert people["Dark Seller"]["deleted"] is True
    calls = f.tables["android_calls.calls"]
    assert [(c["direction"], c["duration"]) for c in calls] == [("outgoing", 65), ("missed", 0)]


def test_made_chrome_history_new_schema(tmp_path: Path, facts: Facts) -> None:
    path = phonedb.chrome(tmp_path / "History")
    f = facts(path)
    check_tables(path, facts)
    d = f.tables["chrome.downloads"][0]
    assert d["url"] == "https://files.example.net/report.zip"  # last link of the chain
    assert (d["path"], d["state"], d["mime_type"]) == \
        ("/home/u/Downloads/report.zip", "complete", "application/zip")
    assert d["start_time"] == "2023-11-14T22:13:26.000000000Z"
    assert [v["transition"] for v in f.tables["chrome.visits"]] == ["typed", "link"]


def test_made_firefox_download_annotations(tmp_path: Path, facts: Facts) -> None:
    path = phonedb.firefox(tmp_path / "places.sqlite")
    f = facts(path)
    check_tables(path, facts)
    d = f.tables["firefox.downloads"][0]
    assert (d["url"], d["path"], d["size"], d["state"]) == \
        ("https://dl.example/tool.exe", "/home/u/Downloads/tool v2.exe", 2048, "complete")
    assert d["end_time"] == "2023-11-14T22:13:29.000000000Z"
    assert [v["visit_type"] for v in f.tables["firefox.visits"]] == ["typed", "download"]
