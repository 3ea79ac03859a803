"""Android contacts (contacts2.db): each raw contact with its names, numbers and e-mails."""

from __future__ import annotations

import sqlite3
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import timefmt
from runner.evidence.artifacts.extract import SqlExtractor
from runner.evidence.artifacts.sqlitedb import columns, integer, text

_KIND = {"vnd.android.cursor.item/name": "name", "vnd.android.cursor.item/phone_v2": "phone",
         "vnd.android.cursor.item/email_v2": "email",
         "vnd.android.cursor.item/organization": "organization"}


@register
class AndroidContactsAnalyzer(SqlExtractor):
    name = "android_contacts"
    version = "1"
    description = "Android contacts2.db: contacts with names, phone numbers, e-mail addresses"
    needs: ClassVar[dict[str, frozenset[str]]] = {
        "data": frozenset({"raw_contact_id", "mimetype_id", "data1"}),
        "mimetypes": frozenset({"_id", "mimetype"}),
    }
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "contacts": (
            Field("raw_contact", "int", "raw_contacts._id (data.raw_contact_id)"),
            Field("name", "str", "display name (structured name, else raw_contacts)"),
            Field("phones", "str", "phone numbers, comma separated"),
            Field("emails", "str", "e-mail addresses, comma separated"),
            Field("organization", "str", "company"),
            Field("deleted", "bool", "raw_contacts.deleted: marked deleted, awaiting sync"),
            Field("times_contacted", "int", "raw_contacts.times_contacted (-1 when absent)"),
            Field("last_contacted", "str", "last_time_contacted in UTC ISO 8601 ('' when none)"),
        ),
    }

    def extract(self, db: sqlite3.Connection, present: set[str]) -> None:
        people: dict[int, dict[str, Any]] = {}
        for r in self.query(db, "SELECT d.raw_contact_id AS rc, m.mimetype AS mt, d.data1 AS v "
                            "FROM data d JOIN mimetypes m ON m._id = d.mimetype_id "
                            "ORDER BY d.raw_contact_id, d._id"):
            person = self._person(people, integer(r["rc"]))
            kind = _KIND.get(text(r["mt"]))
            if kind is not None and text(r["v"]):
                person[kind].append(text(r["v"]))
        if "raw_contacts" in present:
            self._raw(db, people)
        for rc, p in sorted(people.items()):
            self.rows["contacts"].append({
                "raw_contact": rc, "name": (p["name"] or [p["display"]])[0],
                "phones": ",".join(dict.fromkeys(p["phone"])),
                "emails": ",".join(dict.fromkeys(p["email"])),
                "organization": ",".join(dict.fromkeys(p["organization"])),
                "deleted": p["deleted"], "times_contacted": p["times"], "last_contacted": p["last"],
            })

    @staticmethod
    def _person(people: dict[int, dict[str, Any]], rc: int) -> dict[str, Any]:
        return people.setdefault(rc, {"name": [], "phone": [], "email": [], "organization": [],
                                      "display": "", "deleted": False, "times": -1, "last": ""})

    def _raw(self, db: sqlite3.Connection, people: dict[int, dict[str, Any]]) -> None:
        cols = columns(db, "raw_contacts")
        pick = [c if c in cols else f"NULL AS {c}" for c in
                ("display_name", "deleted", "times_contacted", "last_time_contacted")]
        for r in self.query(db, f"SELECT _id, {', '.join(pick)} FROM raw_contacts ORDER BY _id"):
            p = self._person(people, integer(r["_id"]))
            p.update(display=text(r["display_name"]), deleted=integer(r["deleted"], 0) == 1,
                     times=integer(r["times_contacted"]),
                     last=timefmt.unix_ms(r["last_time_contacted"]))
