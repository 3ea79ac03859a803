"""Built-in analyzers: importing this package registers every one of them.

A test checks that each module in this folder is imported here, so an analyzer
cannot be written and then silently left out of the pass.
"""

from runner.evidence.analyzers import (  # noqa: F401 - imported to register
    arp,
    carve,
    conversations,
    credentials,
    dhcp,
    disk,
    dns,
    endpoints,
    ewf,
    fingerprints,
    ftp,
    http,
    icmp,
    packets,
    scans,
    smtp,
    ssh,
    streams,
    summary,
    tls,
    vlan,
    wifi,
)

BUILTIN_MODULES = (
    "arp",
    "carve",
    "conversations",
    "credentials",
    "dhcp",
    "disk",
    "dns",
    "endpoints",
    "ewf",
    "fingerprints",
    "ftp",
    "http",
    "icmp",
    "packets",
    "scans",
    "smtp",
    "ssh",
    "streams",
    "summary",
    "tls",
    "vlan",
    "wifi",
)
