"""Mail facts on a phishing message made here: spoofed display name, Received chain
through a relay, authentication results, a lookalike link, an attachment."""

from __future__ import annotations

import hashlib
import mailbox
from email.message import EmailMessage
from pathlib import Path

from evidence.files.conftest import Facts

RECEIVED = [  # newest first, as servers prepend them
    "from relay.bad-host.example (relay.bad-host.example [203.0.113.45]) by mx.corp.example "
    "(Postfix) with ESMTPS id 4AB; Tue, 05 Mar 2024 10:00:05 +0000",
    "from [10.0.0.7] (dsl-198-51-100-23.isp.example [198.51.100.23]) by "
    "relay.bad-host.example with ESMTP id 77; Tue, 05 Mar 2024 11:00:01 +0100",
]


def phishing() -> EmailMessage:
    msg = EmailMessage()
    for value in RECEIVED:
        msg["Received"] = value
    msg["Authentication-Results"] = ("mx.corp.example; spf=fail smtp.mailfrom=bank.example; "
                                     "dkim=none; dmarc=fail header.from=bank.example")
    msg["From"] = '"Bank Security" <security@bank-secure.example>'
    msg["To"] = "Olha <olha@corp.example>"
    msg["Cc"] = "it@corp.example"
    msg["Subject"] = "=?utf-8?q?Urgent=3A_verify_your_account?="
    msg["Date"] = "Tue, 05 Mar 2024 11:00:00 +0100"
    msg["Message-ID"] = "<phish-1@bank-secure.example>"
    msg.set_content("Verify at http://bank.example.login-check.example/verify now.")
    msg.add_alternative('<p>Log in at <a href="http://bank-secure.example/login">'
                        "https://www.bank.example/login</a></p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 fake invoice", maintype="application", subtype="pdf",
                       filename="invoice.pdf")
    return msg


def test_phishing_message(tmp_path: Path, facts: Facts) -> None:
    path = tmp_path / "message"
    path.write_bytes(phishing().as_bytes())
    f = facts(path)
    assert f.warnings == []
    m = f.tables["mail.messages"][0]
    assert m["from_address"] == "security@bank-secure.example"
    assert m["from"] == "Bank Security <security@bank-secure.example>"
    assert (m["to"], m["cc"]) == ("olha@corp.example", "it@corp.example")
    assert m["subject"] == "Urgent: verify your account"
    assert m["time"] == "2024-03-05T10:00:00.000000000Z"
    assert (m["spf"], m["dkim"], m["dmarc"]) == ("fail", "none", "fail")
    assert m["origin_ip"] == "198.51.100.23"  # 10.0.0.7 is private: not the origin
    hops = f.tables["mail.received"]
    assert [(h["hop"], h["from_ip"], h["by_host"]) for h in hops] == [
        (1, "10.0.0.7,198.51.100.23", "relay.bad-host.example"),
        (2, "203.0.113.45", "mx.corp.example")]
    assert [h["time"] for h in hops] == ["2024-03-05T10:00:01.000000000Z",
                                         "2024-03-05T10:00:05.000000000Z"]
    assert hops[1]["delay"] == 4.0
    links = {(ln["part"], ln["host"], ln["text_host"]) for ln in f.tables["mail.links"]}
    assert ("text/html", "bank-secure.example", "www.bank.example") in links
    assert ("text/plain", "bank.example.login-check.example", "") in links
    att = f.tables["mail.attachments"][0]
    assert (att["name"], att["content_type"], att["size"]) == ("invoice.pdf", "application/pdf", 21)
    assert att["sha256"] == hashlib.sha256(b"%PDF-1.4 fake invoice").hexdigest()


def test_mbox_of_made_messages(tmp_path: Path, facts: Facts) -> None:
    path = tmp_path / "box"
    box = mailbox.mbox(path)
    for n in range(3):
        msg = phishing()
        del msg["Subject"]
        msg["Subject"] = f"message {n}"
        box.add(msg)
    box.close()
    f = facts(path)
    assert [m["subject"] for m in f.tables["mail.messages"]] == [f"message {n}" for n in range(3)]
    assert len(f.tables["mail.attachments"]) == 3
