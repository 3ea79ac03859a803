"""Mailboxes: one RFC 5322 message (``.eml``), a Unix mbox, or an Outlook ``.msg``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runner.evidence.artifacts.magic import mail_format
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.registry import register


@register
class MailboxKind(EvidenceKind):
    name = "mailbox"
    description = "e-mail: one message (.eml), a Unix mbox, or an Outlook .msg"
    priority = 60  # text: after every kind with a binary magic number

    def probe(self, head: Head) -> bool:
        return mail_format(head.data) != ""

    @contextmanager
    def open(self, path: Path, warn: Callable[[str], None]) -> Iterator[object]:
        from runner.evidence.artifacts.mailread import read_mailbox

        yield read_mailbox(path, warn)
