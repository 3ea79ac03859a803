"""Evidence kinds, recognised by content: importing this package registers the built-ins.

A test checks that each module in this folder is imported here, so a kind cannot be
written and then silently left out. How to add one: docs/facts.md, "Adding an
evidence kind".
"""

from runner.evidence.kinds import (  # noqa: F401 - imported to register
    archive,
    capture,
    disk,
    document,
    evtx,
    ewf,
    hive,
    ledger,
    lnk,
    mailbox,
    picture,
    prefetch,
    sqlite,
    tor,
    wallet,
    webarchive,
)

BUILTIN_MODULES = (
    "archive", "capture", "disk", "document", "ewf", "evtx", "hive", "ledger", "lnk", "mailbox",
    "picture", "prefetch", "sqlite", "tor", "wallet", "webarchive",
)
