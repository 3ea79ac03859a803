"""``profile-snapshots``: a zip of offline snapshots of one person's accounts on invented
sites (a forum profile, a marketplace seller page, a messenger channel export), each
beside look-alike decoy accounts, as an investigator saves them for later analysis.

Pages are saved the way a browser's "Save page as, complete" saves them: the HTML with a
``<!-- saved from url=(NNNN)... -->`` comment and its images in a ``NAME_files`` folder.
The forum and marketplace pages carry schema.org ``ProfilePage`` JSON-LD, as forums
publish for search engines; the channel is a JSON export of a public channel with
``text_entities`` marking e-mail addresses, phone numbers and links, as messenger
desktop exports do. A ``capture-log.csv`` records when each file was saved, from which
URL, and its SHA-256, so a trainee can check offline that nothing changed since.

The person reuses one handle and one avatar (byte for byte) on the forum and the
marketplace and names the channel in the forum signature; each decoy has a handle that
looks alike, its own avatar, city, phone and e-mail. The zip's entries carry a fixed
time, so the same seed gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image, ImageDraw
from pydantic import BaseModel, Field

from runner.errors import InputError
from runner.generate.generators.document import zip_bytes
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when
from runner.scenario.model import Strict

FORUM, MARKET, MESSENGER = "kvartal-forum.example", "bazarok.example", "hovir.example"
# City of each Ukrainian landmark of the photo generator (its place names start with it).
CITIES = {"kyiv": "Kyiv", "lviv": "Lviv", "odesa": "Odesa", "kharkiv": "Kharkiv",
          "dnipro": "Dnipro"}
# The same cities as Ukrainian and Russian texts name them (for explanations).
CITY_NAMES = {"Kyiv": ("Київ", "Киев"), "Lviv": ("Львів", "Львов"), "Odesa": ("Одеса", "Одесса"),
              "Kharkiv": ("Харків", "Харьков"), "Dnipro": ("Дніпро", "Днепр")}
OPERATORS = ["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"]
SURNAMES = ["Koval", "Bondarenko", "Tkachenko", "Kravets", "Oliinyk", "Shevchuk", "Lysenko",
            "Marchenko", "Savchuk", "Hnatiuk", "Moroz", "Polishchuk", "Rudenko", "Zinchenko"]
FIRST = ["Andrii", "Bohdan", "Dmytro", "Ihor", "Maksym", "Oleh", "Roman", "Serhii", "Taras",
         "Vitalii", "Yurii", "Oksana", "Iryna", "Nataliia"]
MAIL = ["poshta.example", "ukrmail.example", "skrynka.example"]
GOODS = [("Canon EF 50mm f/1.8 STM lens", 3200), ("Tripod Manfrotto-style, aluminium", 1450),
         ("Camera battery LP-E17, two pieces", 900), ("Drone propellers, 8 pieces", 380),
         ("Laptop charger 65 W USB-C", 650), ("Bicycle lights set", 420),
         ("Winter tyres 205/55 R16, four", 7800), ("Power bank 20000 mAh", 1100)]
_SEP = r"[\s().-]*"


class Person(Strict):
    handle: str = Field(min_length=3, max_length=30, pattern=r"^[A-Za-z0-9_.]+$")
    name: str = Field(min_length=3, max_length=60, description="Full name (Firstname Surname).")
    email: str = Field(max_length=80, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str = Field(pattern=r"^\+380\d{9}$", description="Mobile number, +380XXXXXXXXX.")
    channel: str = Field(min_length=5, max_length=32, pattern=r"^[A-Za-z0-9_]+$")


class Lot(Strict):
    number: int = Field(ge=100_000, le=99_999_999)
    title: str = Field(max_length=120)
    price: int = Field(ge=1, le=10_000_000, description="In hryvnias.")
    photo: str = Field(max_length=80, description="File name of the lot's photo.")


class PostParams(Strict):
    title: str = Field(max_length=160)
    time: str = Field(description="When the post was written (UTC).")


class ProfilesParams(Strict):
    person: Person
    place: str = Field(description="The photo place (kyiv-lavra...) whose city the person "
                       "gives on the marketplace.")
    lot: Lot
    post: PostParams
    captured: str = Field("2024-03-20T10:00:00Z", description="When the pages were saved.")
    decoys: int = Field(2, ge=1, le=4, description="Look-alike accounts per site.")


def national(phone: str) -> str:
    """``+380671234567`` as a Ukrainian site shows it: ``+380 67 123 45 67``."""
    d = phone[4:]
    return f"+380 {d[:2]} {d[2:5]} {d[5:7]} {d[7:]}"


def phone_pattern(phone: str) -> str:
    """A regular expression accepting the number with or without +38 and separators."""
    digits = "0" + phone[4:]
    return r"^(?:\+?3" + _SEP + "8)?" + _SEP + _SEP.join(digits) + r"\s*$"


def avatar_png(seed: int) -> bytes:
    """A 120x120 identicon-like avatar (mirrored 5x5 grid) drawn from ``seed``."""
    rng = random.Random(seed)
    colour = tuple(rng.randrange(30, 200) for _ in range(3))
    image = Image.new("RGB", (120, 120), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    for row in range(5):
        for col in range(3):
            if rng.random() < 0.5:
                for x in {col, 4 - col}:
                    draw.rectangle((10 + x * 20, 10 + row * 20, 29 + x * 20, 29 + row * 20),
                                   fill=colour)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def lookalikes(handle: str, count: int, rng: random.Random) -> list[str]:
    """``count`` handles that look like ``handle`` but are not it (other people's)."""
    base = re.sub(r"\d+$", "", handle) or handle
    shapes = [f"{base}_ua", f"{base}{rng.randint(10, 99)}", f"real_{base}",
              handle.replace("o", "0", 1), f"{handle}_", f"{base}.{rng.randint(1, 9)}",
              f"the{base}", f"{handle}{handle[-1]}"]
    picked = [s for s in dict.fromkeys(shapes) if s != handle and len(s) <= 30]
    rng.shuffle(picked)
    return picked[:count]


def _saved(url: str, body: str) -> str:
    """A page as a browser's "save complete" writes it (the saved-from comment first)."""
    return (f"<!DOCTYPE html>\n<!-- saved from url=({len(url):04d}){url} -->\n"
            f'<html lang="uk"><head><meta charset="utf-8">\n{body}</html>\n')


def _ld(data: dict[str, Any]) -> str:
    return (f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}'
            "</script>\n")


class ProfileGenerator(Generator):
    kind: ClassVar[str] = "profile-snapshots"
    Params: ClassVar[type[BaseModel]] = ProfilesParams
    suffix: ClassVar[str] = ".zip"
    evidence_kind: ClassVar[str] = "webarchive"

    def check(self, params: BaseModel, ctx: GenContext) -> None:
        assert isinstance(params, ProfilesParams)
        self._city(params.place, ctx)

    def _city(self, place: str, ctx: GenContext) -> str:
        city = CITIES.get(place.split("-", maxsplit=1)[0])
        if city is None:
            raise InputError(f"output '{ctx.output}': no city for place '{place}'",
                             fix=f"use a place in {', '.join(sorted(CITIES))}")
        return city

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, ProfilesParams)
        rng = ctx.rng("profiles")
        what = f"output '{ctx.output}'"
        captured = parse_when(params.captured, what)
        posted = parse_when(params.post.time, what)
        city = self._city(params.place, ctx)
        people = [_suspect(params, city), *_decoys(params, city, rng)]
        for who in people:
            who["avatar"] = avatar_png(rng.getrandbits(32))
            who["member_id"] = rng.randint(1000, 98000)
            who["seller_id"] = rng.randint(100_000, 990_000)
            who["joined"] = captured - timedelta(days=rng.randint(200, 2400))
        files: dict[str, bytes] = {}
        log: list[tuple[str, str, str]] = []
        order = people[:]
        rng.shuffle(order)  # the suspect is not always the first page saved
        when = captured
        for who in order:
            for writer in (_forum, _market, _channel):
                url, saved = writer(who, params, posted, rng)
                when += timedelta(seconds=rng.randint(20, 150))
                files.update(saved)
                log.append((iso(when), url, next(iter(saved))))
        rows = ["saved_utc,url,file,sha256"] + [
            f"{t},{u},{f},{hashlib.sha256(files[f]).hexdigest()}" for t, u, f in log]
        entries = {"snapshots/capture-log.csv": ("\n".join(rows) + "\n").encode()}
        entries.update({f"snapshots/{k}": files[k] for k in sorted(files)})
        stamp = when.timetuple()[:6]
        out.write_bytes(zip_bytes(entries, (stamp[0], *stamp[1:])))
        suspect = people[0]
        return {ctx.output: {
            "handle": params.person.handle, "name": params.person.name,
            "email": params.person.email, "phone": params.person.phone,
            "phone_national": national(params.person.phone),
            "phone_pattern": phone_pattern(params.person.phone),
            "channel": params.person.channel, "city": suspect["city"],
            "city_uk": CITY_NAMES[city][0], "city_ru": CITY_NAMES[city][1],
            "lot": params.lot.number,
            "avatar_sha256": hashlib.sha256(suspect["avatar"]).hexdigest(),
            "forum_page": f"snapshots/forum/member-{params.person.handle}.html",
            "seller_page": f"snapshots/market/seller-{params.person.handle}.html",
            "channel_export": f"snapshots/channels/{params.person.channel}/result.json",
            "decoys": [{"handle": d["handle"], "phone": d["phone"], "email": d["email"],
                        "city": d["city"], "channel": d["channel"]} for d in people[1:]],
            "files": sorted(entries)}}


def _suspect(p: ProfilesParams, city: str) -> dict[str, Any]:
    return {"handle": p.person.handle, "name": p.person.name, "email": p.person.email,
            "phone": p.person.phone, "channel": p.person.channel, "city": city,
            "suspect": True}


def _decoys(p: ProfilesParams, city: str, rng: random.Random) -> list[dict[str, Any]]:
    others = [c for c in CITIES.values() if c != city]
    decoys = []
    for handle in lookalikes(p.person.handle, p.decoys, rng):
        first, last = rng.choice(FIRST), rng.choice(
            [n for n in SURNAMES if not p.person.name.endswith(n)])
        kind = rng.choice(["shop", "deals", "market", "news"])
        decoys.append({
            "handle": handle, "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{rng.choice(MAIL)}",
            "phone": "+380" + rng.choice(OPERATORS) + f"{rng.randrange(10**7):07d}",
            "channel": f"{re.sub(r'[^A-Za-z0-9_]', '_', handle)}_{kind}",
            "city": rng.choice(others), "suspect": False})
    return decoys


def _forum(who: dict[str, Any], p: ProfilesParams, posted: datetime,
           rng: random.Random) -> tuple[str, dict[str, bytes]]:
    handle = who["handle"]
    url = f"https://{FORUM}/members/{handle.lower()}.{who['member_id']}/"
    stem = f"forum/member-{handle}"
    image = f"{who['member_id']}.png"
    threads = ([(p.post.title, posted)] if who["suspect"] else []) + [
        (t, posted - timedelta(days=rng.randint(3, 300), seconds=rng.randint(0, 86399)))
        for t in rng.sample(
            ["Where to repair a lens in the city centre?", "Selling my old gear, ask here",
             "Night photos of the old town", "Which power bank survives the cold?",
             "Flat for rent near the station, any tips?", "Cheap film scanners: worth it?"], 2)]
    ld = {"@context": "https://schema.org", "@type": "ProfilePage",
          "dateCreated": iso(who["joined"]),
          "mainEntity": {"@type": "Person", "name": handle, "alternateName": handle,
                         "identifier": str(who["member_id"]),
                         "image": f"member-{handle}_files/{image}",
                         "sameAs": [f"https://{MESSENGER}/{who['channel']}"]}}
    rows = "".join(f"<li><a href=\"/threads/{rng.randint(10000, 99999)}/\">{escape(t)}</a> "
                   f"<time datetime=\"{iso(w)}\">{w:%d.%m.%Y %H:%M}</time></li>\n"
                   for t, w in sorted(threads, key=lambda x: x[1], reverse=True))
    body = (f"<title>{escape(handle)} | Kvartal city forum</title>\n{_ld(ld)}</head><body>\n"
            "<header><b>Kvartal</b> city forum: talk about your neighbourhood</header>\n"
            f'<div class="member-card"><img class="avatar" src="member-{handle}_files/{image}" '
            f'alt="{escape(handle)}">\n<h1 class="username">{escape(handle)}</h1>\n'
            f"<dl><dt>Member since</dt><dd>{who['joined']:%d %B %Y}</dd>\n"
            f"<dt>Messages</dt><dd>{rng.randint(12, 900)}</dd>\n"
            "<dt>Location</dt><dd>Ukraine</dd></dl>\n"
            f'<div class="signature">Orders and questions: my channel '
            f'<a href="https://{MESSENGER}/{who["channel"]}">{MESSENGER}/{who["channel"]}</a>'
            f"</div></div>\n<h2>Recent threads</h2><ul>\n{rows}</ul>\n</body>")
    return url, {f"{stem}.html": _saved(url, body).encode(),
                 f"{stem}_files/{image}": who["avatar"]}


def _market(who: dict[str, Any], p: ProfilesParams, posted: datetime,
            rng: random.Random) -> tuple[str, dict[str, bytes]]:
    handle = who["handle"]
    url = f"https://{MARKET}/seller/{handle}"
    stem = f"market/seller-{handle}"
    image = f"s{who['seller_id']}.png"
    lots = [(rng.randint(p.lot.number - 900_000, p.lot.number - 1), t, price)
            for t, price in rng.sample(GOODS, 2)]
    if who["suspect"]:
        lots.append((p.lot.number, p.lot.title, p.lot.price))
    rows = "".join(f'<li class="lot" data-lot="{n}"><a href="/lot/{n}">Lot {n}: {escape(t)}'
                   f"</a> <span class=\"price\">{price} UAH</span></li>\n"
                   for n, t, price in sorted(lots, reverse=True))
    ld = {"@context": "https://schema.org", "@type": "ProfilePage",
          "mainEntity": {"@type": "Person", "name": _shown(who["name"]),
                         "alternateName": handle, "identifier": str(who["seller_id"]),
                         "image": f"seller-{handle}_files/{image}",
                         "address": {"@type": "PostalAddress", "addressLocality": who["city"],
                                     "addressCountry": "UA"},
                         "telephone": national(who["phone"])}}
    body = (f"<title>{escape(_shown(who['name']))} ({escape(handle)}): seller on Bazarok"
            f"</title>\n{_ld(ld)}</head><body>\n"
            "<header><b>Bazarok</b>: buy and sell near you</header>\n"
            f'<section class="seller"><img class="avatar" src="seller-{handle}_files/{image}">\n'
            f'<h1>{escape(_shown(who["name"]))}</h1><p class="login">@{escape(handle)}</p>\n'
            f'<p class="city">{who["city"]}</p>\n'
            f"<p class=\"since\">On Bazarok since {who['joined']:%B %Y}</p>\n"
            f'<p class="phone">Phone: <a href="tel:{who["phone"]}">{national(who["phone"])}</a>'
            "</p></section>\n"
            f"<h2>Lots</h2><ul>\n{rows}</ul>\n</body>")
    return url, {f"{stem}.html": _saved(url, body).encode(),
                 f"{stem}_files/{image}": who["avatar"]}


def _shown(name: str) -> str:
    """A marketplace shows a first name and the surname's initial."""
    first, _, last = name.partition(" ")
    return f"{first} {last[:1]}." if last else first


def _entity(kind: str, text: str) -> dict[str, str]:
    return {"type": kind, "text": text}


def _channel(who: dict[str, Any], p: ProfilesParams, posted: datetime,
             rng: random.Random) -> tuple[str, dict[str, bytes]]:
    url = f"https://{MESSENGER}/{who['channel']}"
    start = posted - timedelta(days=rng.randint(20, 60))
    texts: list[list[dict[str, str]]] = [
        [_entity("plain", "Orders and questions: "), _entity("email", who["email"])],
        [_entity("plain", "New things on "), _entity("link", f"https://{MARKET}/seller/"
                                                     f"{who['handle']}"),
         _entity("plain", ", same nick everywhere.")],
        [_entity("plain", "Calls after 18:00 only: "), _entity("phone", national(who["phone"]))],
    ]
    if who["suspect"]:
        texts.append([_entity("plain", f"Lot {p.lot.number} is up: {p.lot.title}, "
                              f"{p.lot.price} UAH. Photo straight from my camera.")])
    messages = []
    for number, entities in enumerate(texts, start=1):
        start += timedelta(days=rng.randint(1, 6), seconds=rng.randint(0, 86399))
        if number == 4:  # the lot went up after its photo and before the leak
            start = posted - timedelta(days=rng.randint(1, 3), seconds=rng.randint(0, 86399))
        messages.append({
            "id": number, "type": "message", "date": start.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(start.timestamp())), "from": who["channel"],
            "from_id": f"channel{who['seller_id'] * 7}",
            "text": "".join(e["text"] for e in entities), "text_entities": entities})
    export = {"name": who["channel"].replace("_", " ").title(), "type": "public_channel",
              "id": who["seller_id"] * 7, "about": f"{who['city']}. Gear, parts, deals.",
              "messages": messages}
    name = f"channels/{who['channel']}/result.json"
    return url, {name: (json.dumps(export, ensure_ascii=False, indent=1) + "\n").encode()}
