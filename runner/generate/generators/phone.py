"""``phone-extraction``: an Android-like logical extraction (a tar of app databases):
contacts, SMS, call log and a chat app's message store with some messages deleted.

The databases follow the layouts forensic tools know: ``contacts2.db`` (raw_contacts,
data, mimetypes, as the Android contacts provider), ``mmssms.db`` (``sms``),
``calllog.db`` (``calls``) and a WhatsApp-style ``msgstore.db`` (``messages`` keyed by
``key_remote_jid``). Times are Unix milliseconds, as Android stores them. Deleted chat
messages are deleted without secure_delete, so their text survives in freed cells.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, model_validator

from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when, sqlite_bytes, tar_bytes, times_between
from runner.generate.variables import pool
from runner.scenario.model import Strict

CONTACTS = "data/data/com.android.providers.contacts/databases/contacts2.db"
CALLLOG = "data/data/com.android.providers.contacts/databases/calllog.db"
SMS = "data/data/com.android.providers.telephony/databases/mmssms.db"
CHAT = "data/data/com.whatsapp/databases/msgstore.db"
SMALL_TALK = ["Hi", "How are you?", "Fine, you?", "Busy day", "Call you later", "Where are you?",
              "At home", "Ok", "Thanks!", "See you", "Did you eat?", "Traffic is terrible"]
MIME_NAME, MIME_PHONE = "vnd.android.cursor.item/name", "vnd.android.cursor.item/phone_v2"
_PHONE = r"^\+?[0-9]{7,15}$"


class ChatLine(Strict):
    me: bool = Field(False, description="Sent by the phone's owner.")
    text: str = Field(max_length=4000)
    deleted: bool = Field(False, description="Deleted, but recoverable from freed cells.")


class Contact(Strict):
    name: str = Field(max_length=80)
    number: str = Field(pattern=_PHONE)


class PhoneParams(Strict):
    owner: Contact = Field(default_factory=lambda: Contact(name="Owner", number="+380501112233"))
    suspect: Contact = Field(description="The contact the story is about.")
    contacts: int = Field(15, ge=0, le=5000, description="Other contacts, drawn.")
    time: str = Field("2024-03-10T08:00:00Z", description="Start of the extracted period.")
    hours: float = Field(120, gt=0, le=24 * 3650)
    chat: list[ChatLine] = Field(default_factory=list, description="The chat with the suspect.")
    sms: list[ChatLine] = Field(default_factory=list, description="SMS with the suspect.")
    calls: int = Field(4, ge=0, le=1000, description="Calls with the suspect.")
    chatter: int = Field(0, ge=0, le=10_000,
                         description="Small-talk messages drawn before the story's chat.")
    frequent: int = Field(0, ge=0, le=1000,
                          description="Calls with one other contact, the owner's most called "
                          "(more than `calls`); 0: none.")
    other_calls: int = Field(0, ge=0, le=1000,
                             description="Calls with other contacts, at most two each.")
    other_sms: int = Field(0, ge=0, le=1000, description="Small-talk SMS with other contacts.")

    @model_validator(mode="after")
    def _frequent_is_most(self) -> PhoneParams:
        if self.frequent and self.frequent <= max(self.calls, 2):
            raise ValueError(f"frequent ({self.frequent}) must be more than calls "
                             f"({self.calls}) and 2, so that one contact is called most")
        if self.frequent + self.other_calls and self.contacts < 1:
            raise ValueError("calls with other contacts need contacts > 0")
        return self


def _ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


def _people(rng: random.Random, params: PhoneParams) -> list[Contact]:
    names = rng.sample(pool("first-names"), min(params.contacts, len(pool("first-names"))))
    people = [Contact(name=n.capitalize(), number=f"+38067{rng.randrange(10**7):07d}")
              for n in names]
    people.insert(rng.randint(0, len(people)), params.suspect)
    return people


def _contacts_db(people: list[Contact]) -> bytes:
    schema = ("CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT "
              "NOT NULL);CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, "
              "account_name TEXT, display_name TEXT, deleted INTEGER NOT NULL DEFAULT 0);"
              "CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, raw_contact_id "
              "INTEGER NOT NULL, mimetype_id INTEGER NOT NULL, data1 TEXT, data2 TEXT);")
    data: list[tuple[Any, ...]] = []
    for index, person in enumerate(people, 1):
        data += [(2 * index - 1, index, 1, person.name, None),
                 (2 * index, index, 2, person.number, "2")]
    return sqlite_bytes(schema, {
        "mimetypes": [(1, MIME_NAME), (2, MIME_PHONE)],
        "raw_contacts": [(i, "Phone", p.name, 0) for i, p in enumerate(people, 1)],
        "data": data})


class _Others:
    """Calls and SMS with contacts other than the suspect, from their own random stream
    (so a story without them draws exactly what it drew before they existed)."""

    def __init__(self, rng: random.Random, params: PhoneParams, people: list[Contact],
                 start: datetime) -> None:
        others = [p for p in people if p is not params.suspect]
        self.calls: list[tuple[Contact, datetime, int, int]] = []
        self.sms: list[tuple[str, datetime, ChatLine]] = []
        self.top: Contact | None = None
        partners: list[Contact] = []
        if params.frequent:
            self.top = rng.choice(others)
            partners += [self.top] * params.frequent
        rest = [p for p in others if p is not self.top] * 2
        partners += rng.sample(rest, min(params.other_calls, len(rest)))
        for who, when in zip(partners, times_between(rng, start, params.hours, len(partners)),
                             strict=True):
            kind = rng.choice([1, 1, 2, 2, 3])
            self.calls.append((who, when, 0 if kind == 3 else rng.randint(8, 900), kind))
        texts = [ChatLine(me=rng.random() < 0.5, text=rng.choice(SMALL_TALK))
                 for _ in range(params.other_sms if others else 0)]
        for line, when in zip(texts, times_between(rng, start, params.hours, len(texts)),
                              strict=True):
            self.sms.append((rng.choice(others).number, when, line))


def _sms_db(rows: list[tuple[str, datetime, ChatLine]]) -> bytes:
    threads: dict[str, int] = {}
    for address, _, _ in rows:
        threads.setdefault(address, len(threads) + 1)
    ordered = sorted(rows, key=lambda r: r[1])
    return sqlite_bytes(
        "CREATE TABLE sms (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, address"
        " TEXT, person INTEGER, date INTEGER, date_sent INTEGER, read INTEGER DEFAULT 0, "
        "type INTEGER, body TEXT);",
        {"sms": [(i, threads[a], a, None, _ms(w), _ms(w - timedelta(seconds=3)), 1,
                  2 if line.me else 1, line.text)
                 for i, (a, w, line) in enumerate(ordered, 1)]})


def _calls_db(rows: list[tuple[Contact, datetime, int, int]]) -> bytes:
    ordered = sorted(rows, key=lambda r: r[1])
    # a missed call was never answered: Android logs it with no duration
    return sqlite_bytes(
        "CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, date "
        "INTEGER, duration INTEGER, type INTEGER, name TEXT);",
        {"calls": [(i, who.number, _ms(w), 0 if kind == 3 else d, kind, who.name)
                   for i, (who, w, d, kind) in enumerate(ordered, 1)]})


def _call_values(mine: list[tuple[Contact, datetime, int, int]], more: _Others) -> dict[str, Any]:
    """The suspect's calls (as before) and, when drawn, the most-called other contact."""
    spoken = [0 if kind == 3 else d for _, _, d, kind in mine]
    values: dict[str, Any] = {
        "count": len(mine), "total_seconds": sum(spoken),
        "longest_seconds": max(spoken, default=0),
        "first": iso(mine[0][1]) if mine else "", "last": iso(mine[-1][1]) if mine else "",
        "missed": sum(kind == 3 for *_, kind in mine), "all": len(mine) + len(more.calls)}
    if more.top is not None:
        top = more.top
        values["top"] = {"name": top.name, "number": top.number,
                         "count": sum(who is top for who, *_ in more.calls)}
    return values


class PhoneGenerator(Generator):
    kind: ClassVar[str] = "phone-extraction"
    Params: ClassVar[type[BaseModel]] = PhoneParams
    suffix: ClassVar[str] = ".tar"
    evidence_kind: ClassVar[str] = "tar"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, PhoneParams)
        rng = ctx.rng("phone")
        start = parse_when(params.time, f"output '{ctx.output}'")
        people = _people(rng, params)
        suspect = params.suspect
        chat = [ChatLine(me=rng.random() < 0.5, text=rng.choice(SMALL_TALK))
                for _ in range(params.chatter)] + params.chat
        chat_times = times_between(rng, start, params.hours, len(chat))
        sms_times = times_between(rng, start, params.hours, len(params.sms))
        call_times = times_between(rng, start, params.hours, params.calls)
        jid = suspect.number.lstrip("+") + "@s.whatsapp.net"
        chat_rows = [(i, jid, int(line.me), f"{rng.getrandbits(64):016X}", line.text,
                      _ms(when), 0 if line.me else 13)
                     for i, (line, when) in enumerate(zip(chat, chat_times, strict=True), 1)]
        gone = [i for i, line in enumerate(chat, 1) if line.deleted]
        store = sqlite_bytes(
            "CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT "
            "NOT NULL, key_from_me INTEGER, key_id TEXT NOT NULL, data TEXT, timestamp INTEGER,"
            " status INTEGER);", {"messages": chat_rows},
            {"messages": f"_id IN ({','.join(map(str, gone))})"} if gone else None)
        sms_rows = [(suspect.number, w, line) for line, w in zip(params.sms, sms_times,
                                                                    strict=True)]
        durations = [rng.randint(8, 900) for _ in call_times]
        calls_rows = [(suspect, w, d, rng.choice([1, 2, 3]))
                      for w, d in zip(call_times, durations, strict=True)]
        more = _Others(ctx.rng("phone", "others"), params, people, start)
        sms, calls = _sms_db(sms_rows + more.sms), _calls_db(calls_rows + more.calls)
        out.write_bytes(tar_bytes({CONTACTS: _contacts_db(people), CALLLOG: calls, SMS: sms,
                                   CHAT: store}, int(start.timestamp()) + int(params.hours * 3600)))
        return {ctx.output: {
            "owner": params.owner.model_dump(), "contacts": len(people),
            "suspect": {**suspect.model_dump(), "contact_id": people.index(suspect) + 1,
                        "jid": jid},
            "chat": {"messages": len(chat), "kept": len(chat) - len(gone),
                     "deleted_ids": gone,
                     "deleted": [chat[i - 1].text for i in gone],
                     "deleted_times": [iso(chat_times[i - 1]) for i in gone]},
            "calls": _call_values(calls_rows, more),
            "sms": {"count": len(params.sms), "others": len(more.sms)},
        }}
