"""``mailbox``: an mbox mailbox with one phishing message among ordinary mail.

The phishing message carries what a mail-tracing lesson asks about: a spoofed display
name (a brand's name over a lookalike address), a Received chain that names the relay it
passed and the address it came from, a lookalike link in the body, and an attachment.
Written with the standard library's ``email`` and ``mailbox`` packages; boundaries,
Message-IDs, ``From `` lines and dates come from the seed, so the bytes do too.
"""

from __future__ import annotations

import hashlib
import html
import random
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from mailbox import mbox, mboxMessage
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runner.generate.generators.document import zip_bytes
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when, times_between
from runner.generate.variables import pool
from runner.scenario.model import Strict

SUBJECTS = ["Minutes of Monday's meeting", "Lunch on Friday?", "Updated rota for April",
            "Re: printer on the 2nd floor", "Quarterly figures (draft)", "Parking permits",
            "Re: holiday request", "New VPN instructions", "Birthday card for Iryna"]
_ADDRESS = r"^[^@\s<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"


class Phish(Strict):
    display_name: str = Field("PayPal Service", max_length=80, description="Spoofed name.")
    address: str = Field("service@paypa1-secure.com", pattern=_ADDRESS, description="Sender.")
    subject: str = Field("Your account has been limited", max_length=200)
    relay: str = Field("mail.bulk-sender.example", max_length=200, description="Relay host.")
    relay_ip: str = Field("198.51.100.23", description="Relay address.")
    origin_ip: str = Field("203.0.113.77", description="Address the sender connected from.")
    link: str = Field("https://paypa1-secure.com/account/verify", max_length=500,
                      description="The lookalike link in the body.")
    link_text: str = Field("Confirm your details", max_length=500,
                           description="The link's visible text (may show another address).")
    reply_to: str | None = Field(None, pattern=_ADDRESS,
                                 description="Reply-To address (default: the sender's).")
    spf: str = Field("softfail", pattern=r"^[a-z]+$", description="SPF result the MX recorded.")
    dkim: str = Field("none", pattern=r"^[a-z]+$", description="DKIM result the MX recorded.")
    attachment: str = Field("Invoice_4471.zip", pattern=r"^[^/\\]{1,100}$",
                            description="Attachment file name (a zip).")
    payload: str = Field("WScript.Echo('training sample');\n", max_length=100_000,
                         description="Text of the script inside the attachment.")
    time: str | None = Field(None, description="When it arrived (default: drawn among the "
                             "ordinary mail), so other evidence can follow it in time.")


class MailboxParams(Strict):
    owner: str = Field("anna.koval@corp.example", pattern=_ADDRESS, description="Mailbox owner.")
    owner_name: str = Field("Anna Koval", max_length=80)
    time: str = Field("2024-03-11T07:30:00Z", description="Start of the mailbox's week.")
    hours: float = Field(96, gt=0, le=24 * 3650)
    ordinary: int = Field(6, ge=0, le=1000, description="Ordinary messages around the phish.")
    phish: Phish = Field(default_factory=Phish)


def _received(by: str, frm: str, ip: str, when: datetime, rng: random.Random,
              proto: str = "ESMTPS") -> str:
    return (f"from {frm} ({frm} [{ip}]) by {by} with {proto} id {rng.getrandbits(40):010X}; "
            f"{format_datetime(when)}")


def _ordinary(rng: random.Random, params: MailboxParams, when: datetime) -> EmailMessage:
    domain = params.owner.split("@", 1)[1]
    name = rng.choice(pool("first-names"))
    msg = EmailMessage()
    msg["From"] = formataddr((name.capitalize(), f"{name}@{domain}"))
    msg["To"] = formataddr((params.owner_name, params.owner))
    msg["Subject"] = rng.choice(SUBJECTS)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{rng.getrandbits(64):016x}@{domain}>"
    msg["Received"] = _received(f"mail.{domain}", f"ws-{rng.randint(1, 99):02d}.{domain}",
                                f"10.0.{rng.randint(0, 9)}.{rng.randint(2, 254)}",
                                when + timedelta(seconds=1), rng, "ESMTP")
    first = params.owner_name.split()[0]
    msg.set_content(f"Hi {first},\n\nsee you later.\n\n{name.capitalize()}\n")
    return msg


def _phish(rng: random.Random, params: MailboxParams, when: datetime,
           attachment: bytes) -> EmailMessage:
    p, domain = params.phish, params.owner.split("@", 1)[1]
    msg = EmailMessage()
    hops = [("mail." + domain, "mx." + domain, f"10.0.0.{rng.randint(2, 20)}", 9),
            ("mx." + domain, p.relay, p.relay_ip, 6),
            (p.relay, f"DESKTOP-{rng.getrandbits(28):07X}", p.origin_ip, 0)]
    for by, frm, ip, delay in hops:  # the newest hop first, as each server prepends its own
        proto = "ESMTPSA" if delay == 0 else "ESMTPS"  # the sender logged in to the relay
        msg["Received"] = _received(by, frm, ip, when + timedelta(seconds=delay), rng, proto)
    msg["Return-Path"] = f"<bounce-{rng.getrandbits(24):06x}@{p.relay}>"
    msg["From"] = formataddr((p.display_name, p.address))
    msg["Reply-To"] = p.reply_to or p.address
    msg["To"] = formataddr((params.owner_name, params.owner))
    msg["Subject"] = p.subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{rng.getrandbits(64):016x}@{p.address.split('@', 1)[1]}>"
    msg["Authentication-Results"] = (f"mx.{domain}; spf={p.spf} smtp.mailfrom={p.relay}; "
                                     f"dkim={p.dkim}; dmarc=fail")
    msg.set_content(f"Dear customer,\n\nwe noticed unusual activity. Confirm your details "
                    f"within 24 hours:\n{p.link}\n\nThe invoice is attached.\n")
    msg.add_alternative(f'<p>Dear customer,</p><p>we noticed unusual activity. <a href="{p.link}">'
                        f"{html.escape(p.link_text)}</a> within 24 hours.</p>", subtype="html")
    msg.add_attachment(attachment, maintype="application", subtype="zip", filename=p.attachment)
    for index, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_{rng.getrandbits(64):016x}_{index}")
    return msg


class MailboxGenerator(Generator):
    kind: ClassVar[str] = "mailbox"
    Params: ClassVar[type[BaseModel]] = MailboxParams
    suffix: ClassVar[str] = ".mbox"
    evidence_kind: ClassVar[str] = "mailbox"

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, MailboxParams)
        rng = ctx.rng("mailbox")
        start = parse_when(params.time, f"output '{ctx.output}'")
        if params.phish.time is None:
            times = times_between(rng, start, params.hours, params.ordinary + 1)
            slot = rng.randrange(len(times))
        else:  # pinned: the ordinary mail is drawn around it, as before
            arrived = parse_when(params.phish.time, f"output '{ctx.output}': phish.time")
            times = times_between(rng, start, params.hours, params.ordinary)
            slot = sum(1 for t in times if t <= arrived)
            times.insert(slot, arrived)
        script = params.phish.attachment.rsplit(".", 1)[0] + ".pdf.js"
        attachment = zip_bytes({script: params.phish.payload.encode()},
                               (start.year, start.month, start.day, 6, 12, 0))
        box = mbox(str(out), create=True)
        try:
            for index, when in enumerate(times):
                msg = (_phish(rng, params, when, attachment) if index == slot
                       else _ordinary(rng, params, when))
                entry = mboxMessage(msg)
                sender = params.phish.address if index == slot else "MAILER-DAEMON"
                entry.set_from(sender, when.timetuple())
                box.add(entry)
            box.flush()
        finally:
            box.close()
        phish, when = params.phish, times[slot]
        return {ctx.output: {
            "messages": len(times), "position": slot + 1,
            "phish": {"from": phish.address, "display_name": phish.display_name,
                      "subject": phish.subject, "date": iso(when), "relay": phish.relay,
                      "relay_ip": phish.relay_ip, "origin_ip": phish.origin_ip,
                      "link": phish.link, "link_domain": phish.link.split("/")[2],
                      "link_text": phish.link_text, "reply_to": phish.reply_to or phish.address,
                      "spf": phish.spf, "dkim": phish.dkim, "dmarc": "fail",
                      "attachment": {"name": phish.attachment, "size": len(attachment),
                                     "content_type": "application/zip",
                                     "sha256": hashlib.sha256(attachment).hexdigest(),
                                     "inner": script}},
        }}
