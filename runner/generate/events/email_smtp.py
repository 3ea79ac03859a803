"""``email``: a message with an attachment sent over SMTP (a phishing mail, or data sent
out), built with the standard library's ``email`` package, so ``tshark --export-objects
imf`` carves the message and its attachment decodes to the same SHA-256."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, ClassVar

from pydantic import Field

from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.events.payload import PayloadSpec, digests, payload_bytes
from runner.generate.wire.tcp import MS, TcpFlow


class EmailParams(EventParams):
    client: str = Field(description="Host key (or IPv4 address) sending the mail.")
    server: str = Field(description="Host key (or IPv4 address) of the mail server.")
    port: int = Field(25, ge=1, le=65535)
    sender: str = Field("billing@example-invoices.test", description="Envelope and From: address.")
    to: list[str] = Field(default_factory=lambda: ["staff@example.com"], min_length=1)
    subject: str = "Invoice"
    body: str = "Please find the invoice attached."
    attachment: PayloadSpec | None = None
    helo: str = "mail.example-invoices.test"


class Email(Event):
    type: ClassVar[str] = "email"
    Params = EmailParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, EmailParams)
        client, server = ctx.node(params.client), ctx.node(params.server)
        t = ctx.time(params.at)
        message = EmailMessage()
        message["From"], message["To"] = params.sender, ", ".join(params.to)
        message["Subject"] = params.subject
        message["Date"] = format_datetime(datetime.fromtimestamp(t // NS, UTC))
        domain = params.sender.rpartition("@")[2] or "localhost"
        # not email.utils.make_msgid: it mixes in the clock and the process id
        message["Message-ID"] = f"<{ctx.rng.getrandbits(64):016x}.{ctx.rng.getrandbits(32):08x}" \
                                f"@{domain}>"
        message.set_content(params.body)
        values: dict[str, Any] = {"client": client.ip, "server": server.ip, "sender": params.sender,
                                  "to": params.to, "subject": params.subject,
                                  "message_id": message["Message-ID"].strip("<>")}
        if params.attachment is not None:
            data = payload_bytes(params.attachment, ctx.gen, ctx.rng)
            kind = mimetypes.guess_type(params.attachment.name)[0] or "application/octet-stream"
            major, minor = kind.split("/", 1)
            message.add_attachment(data, maintype=major, subtype=minor,
                                   filename=params.attachment.name)
            values["attachment"] = {"file": params.attachment.name,
                                    **digests(data, ctx.gen, params.attachment.name)}
            # the library draws the MIME boundary from the global random stream
            message.set_boundary(f"===============_{ctx.rng.getrandbits(64):016x}==")
        text = message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        stuffed = b"\r\n".join(b"." + line if line.startswith(b".") else line
                               for line in text.split(b"\r\n"))
        steps = [(False, b"220 " + server_name(params) + b" ESMTP Postfix\r\n"),
                 (True, f"EHLO {params.helo}\r\n".encode()),
                 (False, b"250-" + server_name(params) + b"\r\n250-SIZE 52428800\r\n"
                         b"250-8BITMIME\r\n250 SMTPUTF8\r\n"),
                 (True, f"MAIL FROM:<{params.sender}>\r\n".encode()), (False, b"250 2.1.0 Ok\r\n")]
        for rcpt in params.to:
            steps += [(True, f"RCPT TO:<{rcpt}>\r\n".encode()), (False, b"250 2.1.5 Ok\r\n")]
        steps += [(True, b"DATA\r\n"), (False, b"354 End data with <CR><LF>.<CR><LF>\r\n"),
                  (True, stuffed.rstrip(b"\r\n") + b"\r\n.\r\n"),
                  (False, b"250 2.0.0 Ok: queued as " + f"{ctx.rng.getrandbits(40):X}".encode()
                   + b"\r\n"), (True, b"QUIT\r\n"), (False, b"221 2.0.0 Bye\r\n")]
        flow = TcpFlow(ctx.sink, client, server, ctx.rng.randrange(49152, 65535), params.port,
                       ctx.rng, rtt_ms=25.0)
        t = flow.open(t)
        for from_client, data in steps:
            t = flow.send(t + flow.jitter((20 if from_client else 3) * MS), from_client, data)
        flow.close(t + flow.jitter(MS), by_client=False)
        return values


def server_name(params: EmailParams) -> bytes:
    """The name the server greets with."""
    return b"mx." + (params.to[0].rpartition("@")[2] or "example.com").encode()
