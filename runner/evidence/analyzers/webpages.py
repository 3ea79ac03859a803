"""Saved web pages: the selectors an OSINT examiner pivots on, read offline.

From each saved HTML page: the URL it was saved from (the browser's ``saved from url=``
comment), its title and SHA-256, and every schema.org ``ProfilePage``/``Person`` in its
JSON-LD (the structured data forums and marketplaces publish for search engines): name,
username, city, phone, avatar (hashed when the saved copy holds it) and linked
accounts. From each messenger channel export (JSON with ``messages`` whose
``text_entities`` are typed): every e-mail, phone, link and mention.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import zipfile
import zlib
from html.parser import HTMLParser
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register

MAX_MEMBER = 32 * 1024 * 1024  # bytes read from one member; larger ones are skipped
# What zipfile raises for a damaged member: bad CRC or header, broken deflate, cut short.
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)
_SAVED_FROM = re.compile(r"<!-- saved from url=\(\d{4}\)(\S+?) -->")
_ENTITIES = ("email", "phone", "link", "text_link", "mention", "hashtag")


class _Html(HTMLParser):
    """The title and the JSON-LD blocks of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.blocks: list[str] = []
        self._in: str = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" or (tag == "script" and dict(attrs).get("type") ==
                              "application/ld+json"):
            self._in = tag
            if tag == "script":
                self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            self.blocks[-1] += data


@register
class WebPagesAnalyzer(KindAnalyzer):
    name = "webpages"
    version = "1"
    description = "saved web pages: JSON-LD profiles (username, city, phone, avatar), " \
        "channel export entities (e-mails, phones, links)"
    kinds = frozenset({"webarchive"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "pages": (
            Field("file", "str", "member path in the ZIP"),
            Field("url", "str", "URL it was saved from ('saved from url=' comment; '' if none)"),
            Field("title", "str", "HTML title"),
            Field("sha256", "str", "SHA-256 of the saved page"),
        ),
        "profiles": (
            Field("file", "str", "page it is on"),
            Field("site", "str", "host name of the page's URL"),
            Field("type", "str", "schema.org type of the profile's subject (Person)"),
            Field("name", "str", "name as shown"),
            Field("username", "str", "alternateName: the login or handle"),
            Field("identifier", "str", "the site's account number"),
            Field("city", "str", "address.addressLocality ('' when not given)"),
            Field("telephone", "str", "telephone as written ('' when not given)"),
            Field("image", "str", "avatar: its path in the ZIP, or the URL given"),
            Field("image_sha256", "str", "SHA-256 of the avatar when the ZIP holds it, else ''"),
            Field("same_as", "str", "linked accounts (sameAs), joined by ', '"),
        ),
        "entities": (
            Field("file", "str", "channel export (JSON) it is in"),
            Field("channel", "str", "the channel's name in the export"),
            Field("message", "int", "message id"),
            Field("date", "str", "message date as exported (local time, no zone)"),
            Field("type", "str", "email, phone, link, text_link, mention or hashtag"),
            Field("text", "str", "the entity's text (a text_link's URL for text_link)"),
        ),
    }

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        archive: zipfile.ZipFile = source
        for info in archive.infolist():
            low = info.filename.lower()
            if info.is_dir() or not low.endswith((".html", ".htm", ".json")):
                continue
            if info.file_size > MAX_MEMBER:
                self.note(f"{info.file_size} bytes, over {MAX_MEMBER}: skipped",
                          where=info.filename)
                continue
            data = self._read(archive, info.filename, info.filename)
            if data is None:
                continue
            if low.endswith(".json"):
                self._export(info.filename, data)
            else:
                self._page(archive, info.filename, data)

    def _read(self, archive: zipfile.ZipFile, member: str, where: str) -> bytes | None:
        try:
            return archive.read(member)
        except KeyError:
            self.note(f"{member} is not in the archive", where=where)
        except _DAMAGE as exc:
            self.note(f"{member} cannot be read: {exc}", where=where)
        return None

    def _page(self, archive: zipfile.ZipFile, name: str, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        saved = _SAVED_FROM.search(text[:4096])
        url = saved.group(1) if saved else ""
        parser = _Html()
        parser.feed(text)
        self.rows["pages"].append({"file": name, "url": url, "title": parser.title.strip(),
                                   "sha256": hashlib.sha256(data).hexdigest()})
        for block in parser.blocks:
            try:
                item = json.loads(block)
            except ValueError as exc:
                self.note(f"JSON-LD block is not JSON: {exc}", where=name)
                continue
            for page in _nodes(item):
                if _is(page, "ProfilePage") and isinstance(page.get("mainEntity"), dict):
                    self._profile(archive, name, url, page["mainEntity"])

    def _profile(self, archive: zipfile.ZipFile, name: str, url: str,
                 who: dict[str, Any]) -> None:
        image = who.get("image") or ""
        if isinstance(image, dict):  # an ImageObject
            image = image.get("contentUrl") or image.get("url") or ""
        image = str(image)
        digest = ""
        if image and "://" not in image:
            image = posixpath.normpath(posixpath.join(posixpath.dirname(name), image))
            data = self._read(archive, image, name)
            digest = "" if data is None else hashlib.sha256(data).hexdigest()
        address = who.get("address")
        same = who.get("sameAs") or []
        self.rows["profiles"].append({
            "file": name, "site": re.sub(r"^[a-z]+://([^/]+).*$", r"\1", url),
            "type": str(who.get("@type", "")), "name": str(who.get("name", "")),
            "username": str(who.get("alternateName", "")),
            "identifier": str(who.get("identifier", "")),
            "city": str(address.get("addressLocality", "")) if isinstance(address, dict)
            else "",
            "telephone": str(who.get("telephone", "")), "image": image,
            "image_sha256": digest,
            "same_as": ", ".join(map(str, same)) if isinstance(same, list) else str(same)})

    def _export(self, name: str, data: bytes) -> None:
        try:
            export = json.loads(data)
        except ValueError as exc:
            self.note(f"not JSON: {exc}", where=name)
            return
        if not isinstance(export, dict) or not isinstance(export.get("messages"), list):
            return  # some other JSON file saved with the pages
        channel = str(export.get("name", ""))
        for message in export["messages"]:
            if not isinstance(message, dict):
                continue
            for entity in message.get("text_entities") or []:
                if isinstance(entity, dict) and entity.get("type") in _ENTITIES:
                    self.rows["entities"].append({
                        "file": name, "channel": channel, "message": _number(message.get("id")),
                        "date": str(message.get("date", "")), "type": entity["type"],
                        "text": str(entity.get("href") or entity.get("text", ""))})

    def finish(self) -> Tables:
        return dict(self.rows)


def _number(value: Any) -> int:
    """A message id as exported (an integer), -1 when it is anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _nodes(item: Any) -> list[dict[str, Any]]:
    """The JSON-LD nodes of a block: one object, a list, or an ``@graph``."""
    items = item if isinstance(item, list) else [item]
    out: list[dict[str, Any]] = []
    for node in items:
        if isinstance(node, dict):
            graph = node.get("@graph")
            out += [g for g in graph if isinstance(g, dict)] if isinstance(graph, list) \
                else [node]
    return out


def _is(node: dict[str, Any], kind: str) -> bool:
    """Whether a node's ``@type`` (a name or a list of names) includes ``kind``."""
    types = node.get("@type")
    return kind in types if isinstance(types, list) else types == kind
