"""What a mail analyst reads out of headers and bodies: Received hops, authentication
results, addresses, times and links. Pure functions over header text."""

from __future__ import annotations

import ipaddress
import re
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

from runner.evidence.artifacts.timefmt import from_datetime

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?:IPv6:)?([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})")
_CLAUSE = re.compile(r"\b(from|by|with|id|for|via)\s+(\S+)", re.I)
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'()\[\]]+", re.I)
_AUTH = re.compile(r"\b(spf|dkim|dmarc|arc|auth|iprev|sender-id)\s*=\s*([A-Za-z]+)", re.I)


def mail_time(value: str) -> str:
    """An RFC 5322 date as UTC ISO 8601 ('' when it cannot be read)."""
    if not value.strip():
        return ""
    try:
        return from_datetime(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""


def addresses(value: str) -> str:
    """The addresses of an address header, lower case, comma separated (names dropped)."""
    return ",".join(a.lower() for _, a in getaddresses([value]) if a)


def ips_in(text: str) -> list[str]:
    """Valid IPv4 and IPv6 addresses in a text, in order, without repeats."""
    found: list[str] = []
    for candidate in [*_IPV4.findall(text), *(m.group(1) for m in _IPV6.finditer(text))]:
        try:
            ip = str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
        if ip not in found:
            found.append(ip)
    return found


def received_hop(value: str) -> dict[str, str]:
    """The parts of one Received header: from/by hosts, the sending IPs, protocol, time.

    The ``from`` clause is what the receiving server saw (``from helo (rdns [ip])``):
    the IPs are taken from there, the time from after the last ``;``.
    """
    body, _, when = value.rpartition(";") if ";" in value else (value, "", "")
    clauses: dict[str, str] = {}
    for m in _CLAUSE.finditer(body):
        clauses.setdefault(m.group(1).lower(), m.group(2).strip("<>;"))
    by_at = re.search(r"\bby\s", body, re.I)
    from_part = body[: by_at.start()] if by_at else body
    return {
        "from_host": clauses.get("from", ""),
        "from_ip": ",".join(ips_in(from_part)),
        "by_host": clauses.get("by", ""),
        "protocol": clauses.get("with", ""),
        "time": mail_time(when),
    }


def auth_results(headers: list[str]) -> dict[str, str]:
    """First result per method (spf, dkim, dmarc...) in Authentication-Results headers."""
    out: dict[str, str] = {}
    for value in headers:
        for method, result in _AUTH.findall(value):
            out.setdefault(method.lower(), result.lower())
    return out


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href.strip(), " ".join("".join(self._text).split())))
            self._href = None


def links(content_type: str, text: str) -> list[tuple[str, str]]:
    """(url, anchor text) of each link: HTML anchors, or URLs in plain text."""
    if content_type == "text/html":
        parser = _Anchors()
        parser.feed(text)
        parser.close()
        found = [(u, t) for u, t in parser.links if u and not u.lower().startswith("mailto:")]
        return found or [(u, "") for u in _URL.findall(text)]
    return [(u.rstrip(".,;:!?"), "") for u in _URL.findall(text)]


def host_of(url: str) -> str:
    """The host of a URL, lower case ('' when none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
