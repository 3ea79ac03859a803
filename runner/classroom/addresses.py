"""The addresses trainees can reach ``class serve`` on, told to the trainer at start."""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import socket
import struct

_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address
WILDCARD = ("", "0.0.0.0", "::")


def interface_addresses() -> list[str]:
    """This machine's IPv4 addresses, one per interface that has one (Linux)."""
    out: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, ifname in socket.if_nameindex():
            with contextlib.suppress(OSError):
                packed = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR,
                                     struct.pack("256s", ifname[:15].encode()))
                out.append(socket.inet_ntoa(packed[20:24]))
    return sorted(set(out), key=lambda a: (ipaddress.ip_address(a).is_loopback, a))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def trainee_addresses(host: str) -> list[str]:
    """Where trainees can connect when the gateway listens on ``host``."""
    if host in WILDCARD:
        found = [a for a in interface_addresses() if not is_loopback(a)]
        return found or ["127.0.0.1"]
    return [host]
