"""Mail: messages, the Received chain as hops, attachments with hashes, links in bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import mailfacts as mf
from runner.evidence.artifacts.mailread import Mailbox, MailMessage

_MSG = Field("message", "int", "0-based index of the message in the file")
_TIME = "UTC ISO 8601 with nanoseconds; '' when missing or unreadable"


@register
class MailAnalyzer(KindAnalyzer):
    name = "mail"
    version = "1"
    description = "mail: messages, Received hops, authentication results, attachments, links"
    kinds = frozenset({"mailbox"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "messages": (
            _MSG,
            Field("offset", "int", "first byte of the message in the file (mbox: its From_ line)"),
            Field("from", "str", "From: header as written (display name and address)"),
            Field("from_address", "str", "address of From:, lower case"),
            Field("to", "str", "To: addresses, lower case, comma separated"),
            Field("cc", "str", "Cc: addresses, lower case, comma separated"),
            Field("reply_to", "str", "Reply-To: addresses"),
            Field("return_path", "str", "Return-Path: address (envelope sender)"),
            Field("subject", "str", "Subject:, decoded"),
            Field("date", "str", "Date: header as written"),
            Field("time", "str", f"Date: in UTC; {_TIME}"),
            Field("message_id", "str", "Message-ID: header"),
            Field("mailer", "str", "X-Mailer or User-Agent header"),
            Field("hops", "int", "Received: headers"),
            Field("origin_ip", "str", "first sending IP of the earliest hop outside private, "
                  "loopback and link-local ranges ('' when none)"),
            Field("spf", "str", "SPF result (Authentication-Results or Received-SPF)"),
            Field("dkim", "str", "DKIM result from Authentication-Results"),
            Field("dmarc", "str", "DMARC result from Authentication-Results"),
            Field("attachments", "int", "attachments"),
            Field("links", "int", "links in the bodies"),
        ),
        "received": (
            _MSG,
            Field("hop", "int", "1 = the earliest relay (the last Received: header)"),
            Field("from_host", "str", "host in the from clause (HELO name)"),
            Field("from_ip", "str", "IP addresses in the from clause, comma separated"),
            Field("by_host", "str", "receiving server"),
            Field("protocol", "str", "with clause: SMTP, ESMTP, ESMTPS, LMTP..."),
            Field("time", "str", f"time stamped by the receiving server; {_TIME}"),
            Field("delay", "float", "seconds since the previous hop (-1 when unknown)"),
            Field("header", "str", "the header, unfolded"),
        ),
        "attachments": (
            _MSG,
            Field("name", "str", "file name ('' when none)"),
            Field("content_type", "str", "MIME type as declared"),
            Field("disposition", "str", "attachment or inline ('' when not given)"),
            Field("size", "int", "decoded size in bytes"),
            Field("sha256", "str", "SHA-256 of the decoded content"),
        ),
        "links": (
            _MSG,
            Field("url", "str", "link target"),
            Field("host", "str", "its host, lower case"),
            Field("text", "str", "the anchor's visible text (HTML), '' for plain text"),
            Field("text_host", "str", "host named by the visible text when it is a URL or "
                  "domain (differs from host in a lookalike link)"),
            Field("part", "str", "text/plain or text/html"),
        ),
    }

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        box: Mailbox = source
        for msg in box.messages:
            self._message(msg)

    def _message(self, msg: MailMessage) -> None:
        hops = self._hops(msg)
        auth = mf.auth_results(msg.all("Authentication-Results"))
        spf = auth.get("spf") or next(iter(msg.header("Received-SPF").lower().split()), "")
        links = self._links(msg)
        origin = next((ip for hop in hops for ip in hop["from_ip"].split(",") if _public(ip)), "")
        self.rows["messages"].append({
            "message": msg.index, "offset": msg.offset, "from": msg.header("From"),
            "from_address": mf.addresses(msg.header("From")).split(",")[0],
            "to": mf.addresses(", ".join(msg.all("To"))),
            "cc": mf.addresses(", ".join(msg.all("Cc"))),
            "reply_to": mf.addresses(msg.header("Reply-To")),
            "return_path": mf.addresses(msg.header("Return-Path")),
            "subject": msg.header("Subject"), "date": msg.header("Date"),
            "time": mf.mail_time(msg.header("Date")), "message_id": msg.header("Message-ID"),
            "mailer": msg.header("X-Mailer") or msg.header("User-Agent"), "hops": len(hops),
            "origin_ip": origin, "spf": spf, "dkim": auth.get("dkim", ""),
            "dmarc": auth.get("dmarc", ""), "attachments": len(msg.attachments),
            "links": links,
        })
        for att in msg.attachments:
            self.rows["attachments"].append({
                "message": msg.index, "name": att.name, "content_type": att.content_type,
                "disposition": att.disposition, "size": att.size, "sha256": att.sha256,
            })

    def _hops(self, msg: MailMessage) -> list[dict[str, Any]]:
        """Received headers oldest first: each server prepends its own."""
        hops: list[dict[str, Any]] = []
        for n, value in enumerate(reversed(msg.all("Received")), start=1):
            hop: dict[str, Any] = dict(mf.received_hop(value))
            before = hops[-1]["time"] if hops else ""
            hop.update(message=msg.index, hop=n, header=value,
                       delay=_seconds(before, hop["time"]))
            hops.append(hop)
        self.rows["received"].extend(hops)
        return hops

    def _links(self, msg: MailMessage) -> int:
        seen: set[tuple[str, str]] = set()
        for ctype, text in msg.texts:
            for url, anchor in mf.links(ctype, text):
                if (url, anchor) in seen:
                    continue
                seen.add((url, anchor))
                self.rows["links"].append({
                    "message": msg.index, "url": url, "host": mf.host_of(url), "text": anchor,
                    "text_host": _text_host(anchor), "part": ctype,
                })
        return len(seen)

    def finish(self) -> Tables:
        return dict(self.rows)


def _seconds(before: str, after: str) -> float:
    from datetime import datetime

    if not before or not after:
        return -1.0
    parse = datetime.fromisoformat
    return (parse(after[:26] + "Z") - parse(before[:26] + "Z")).total_seconds()


def _text_host(anchor: str) -> str:
    """The host an anchor's text names (``www.paypal.com``, ``https://x.y/...``), or ''."""
    import re

    words = anchor.strip().split()
    if len(words) != 1:
        return ""
    word = words[0]
    if "://" in word:
        return mf.host_of(word)
    return word.lower().rstrip("/.") if re.fullmatch(r"(?:[\w-]+\.)+[A-Za-z]{2,}/?", word) else ""


_INTERNAL = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
             "100.64.0.0/10", "0.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128")


def _public(ip: str) -> bool:
    """Not a private (RFC 1918/4193), shared, loopback or link-local address. Documentation
    ranges (TEST-NET) count as public: generated evidence uses them for the outside world."""
    import ipaddress

    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return not any(addr in ipaddress.ip_network(n) for n in _INTERNAL
                   if ipaddress.ip_network(n).version == addr.version)
