"""Hosts of a story: addresses, a MAC with a real vendor prefix, a name and an OS fingerprint.

The OS fingerprint is what passive fingerprinting reads off the wire (initial TTL and
TCP window), so a trainee can tell the Windows victim from the Linux attacker as in a
real capture.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import Field, field_validator

from runner.scenario.model import Strict

OsName = Literal["windows", "linux", "macos", "android", "ios", "router", "printer"]

# Initial TTL and SYN window as each family sends them (p0f's figures).
FINGERPRINTS: dict[str, tuple[int, int]] = {
    "windows": (128, 64240), "linux": (64, 64240), "macos": (64, 65535),
    "android": (64, 65535), "ios": (64, 65535), "router": (255, 4128), "printer": (64, 8760),
}

# Registered OUIs (IEEE) of vendors common on office and home networks.
VENDORS: dict[str, tuple[str, ...]] = {
    "dell": ("00:14:22", "18:66:da", "f8:bc:12"),
    "hp": ("00:1b:78", "3c:d9:2b", "94:57:a5"),
    "lenovo": ("00:21:cc", "54:ee:75", "e8:6a:64"),
    "apple": ("00:1e:c2", "a4:83:e7", "f0:18:98"),
    "samsung": ("00:16:32", "5c:0a:5b", "8c:71:f8"),
    "intel": ("00:1b:21", "3c:a9:f4", "a0:88:b4"),
    "cisco": ("00:1a:a1", "58:97:bd", "e8:ba:70"),
    "tp-link": ("14:cc:20", "50:c7:bf", "f4:f2:6d"),
    "vmware": ("00:0c:29", "00:50:56"),
    "raspberry-pi": ("b8:27:eb", "dc:a6:32"),
}
DEFAULT_VENDOR = {"windows": "dell", "linux": "intel", "macos": "apple", "android": "samsung",
                  "ios": "apple", "router": "cisco", "printer": "hp"}


class HostSpec(Strict):
    """One host of the story (values may use {{variables}})."""

    ip: str = Field(description="IPv4 or IPv6 address, usually '{{a_variable}}'.")
    ip6: str | None = Field(None, description="A second, IPv6 address.")
    mac: str | None = Field(None, description="Default: drawn from the vendor's prefixes.")
    vendor: str | None = Field(None, description=f"One of: {', '.join(VENDORS)}.")
    name: str | None = Field(None, description="Host name (DNS, DHCP, NetBIOS).")
    os: OsName = "windows"
    role: str = Field("", description="Free text for trainers: victim, attacker, server ...")

    @field_validator("ip", "ip6")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                return str(ipaddress.ip_address(value))
            except ValueError:
                raise ValueError(f"{value!r} is not an IP address") from None
        return value

    @field_validator("vendor")
    @classmethod
    def _known_vendor(cls, value: str | None) -> str | None:
        if value is not None and value not in VENDORS:
            raise ValueError(f"unknown vendor {value!r}; use one of: {', '.join(VENDORS)}")
        return value


@dataclass(frozen=True)
class Host:
    """A host as generators use it."""

    key: str
    ip: str
    mac: str
    name: str
    os: str
    ttl: int
    window: int
    role: str = ""
    ip6: str | None = None

    def values(self) -> dict[str, Any]:
        """What ``{story: HOST.FIELD}`` and ``{{HOST.FIELD}}`` can name."""
        return asdict(self)


def make_host(key: str, spec: HostSpec, rng: random.Random) -> Host:
    """Build one host; spec values must already be rendered."""
    vendor = spec.vendor or DEFAULT_VENDOR[spec.os]
    mac = spec.mac or random_mac(vendor, rng)
    ttl, window = FINGERPRINTS[spec.os]
    name = spec.name or f"{key}-{rng.randrange(100, 1000)}"
    return Host(key, spec.ip, mac.lower(), name, spec.os, ttl, window, spec.role, spec.ip6)


def random_mac(vendor: str, rng: random.Random) -> str:
    """A MAC under one of the vendor's registered prefixes."""
    prefix = rng.choice(VENDORS[vendor])
    return prefix + "".join(f":{rng.randrange(256):02x}" for _ in range(3))
