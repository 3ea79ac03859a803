"""IP addresses (v4 and v6) in any valid notation, optionally networks in CIDR.

Notation decisions (see docs/checkers.md):

* IPv6 is compared as a value: ``2001:DB8:0:0::1`` equals ``2001:db8::1``;
  ``[2001:db8::1]`` brackets and a ``%zone`` suffix are accepted and dropped
  (the zone names an interface on the capturing host, not part of the address).
* IPv4 with zero-padded octets (``192.168.001.010``, as some firewall logs print
  them) is read as decimal. Octal or hex octets (``0x0a.0.0.1``) and the short
  forms ``10.1`` or ``167772161`` that ``inet_aton`` also accepts are refused:
  nobody reads an address that way from evidence, and guessing would be unfair.
* An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) is the IPv4 address it
  carries unless ``map_v4: false``.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any

from pydantic import Field, field_validator

from runner.checkers._common import token
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer, JudgeContext, Key, Verdict

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

HINT = "Write an address such as 192.0.2.10 or 2001:db8::10."
_PADDED_V4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")


class IpParams(CheckerParams):
    within: str | None = Field(
        None,
        description="A network in CIDR notation (e.g. 10.0.0.0/8) the answer must lie inside.",
    )
    cidr: bool = Field(False, description="Also accept a network in CIDR notation as the answer.")
    map_v4: bool = Field(
        True,
        description="Treat an IPv4-mapped IPv6 address (::ffff:192.0.2.1) as its IPv4 address.",
    )
    allow_port: bool = Field(
        True,
        description="Accept an endpoint (10.0.0.5:445, [2001:db8::1]:443) and judge its address.",
    )

    @field_validator("within")
    @classmethod
    def _network(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(ip_network(value.strip(), strict=True))
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a network in CIDR notation: {exc}") from None


def parse_address(raw: str, *, map_v4: bool = True) -> Address:
    """Read one IP address in any notation this checker accepts.

    Raises:
        InvalidAnswer: not an address.
    """
    text = token(raw, "an IP address", HINT, max_len=100)
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        text = text.partition("%")[0]
    elif _PADDED_V4.fullmatch(text):
        text = ".".join(str(int(part)) for part in text.split("."))
    try:
        address = ip_address(text)
    except ValueError:
        raise InvalidAnswer(f"'{text}' is not an IP address.", HINT) from None
    if map_v4 and isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_network(raw: str, *, map_v4: bool = True) -> Network:
    """Read a network in CIDR notation (``192.0.2.0/24``); host bits must be zero.

    Raises:
        InvalidAnswer: not a network, or host bits set.
    """
    text = token(raw, "a network", "Write a network such as 192.0.2.0/24.", max_len=110)
    head, _, prefix = text.partition("/")
    address = parse_address(head, map_v4=map_v4)
    if not (prefix.isascii() and prefix.isdigit() and len(prefix) <= 3):
        raise InvalidAnswer(f"'{text}' has no valid prefix length.", "Write e.g. 192.0.2.0/24.")
    spec = f"{address}/{int(prefix)}"
    try:
        return ip_network(spec, strict=True)
    except ValueError:
        pass
    try:
        fixed = ip_network(spec, strict=False)
    except ValueError:
        raise InvalidAnswer(
            f"'{text}' is not a valid network.", "Check the prefix length."
        ) from None
    raise InvalidAnswer(f"'{text}' has host bits set.", f"Did you mean {fixed}?")


_V4_PORT = re.compile(r"\s*(?P<addr>[0-9]{1,3}(?:\.[0-9]{1,3}){3}):[0-9]{1,5}\s*")
_V6_PORT = re.compile(r"\s*\[(?P<addr>[^\]]+)\]:[0-9]{1,5}\s*")


def _drop_port(raw: str) -> str:
    """The address of an ``IP:port`` endpoint; anything else unchanged.

    Only unambiguous forms: an IPv4 address with one colon, or a bracketed IPv6
    address (a bare IPv6 address ends in hex groups that could be a port).
    """
    match = _V4_PORT.fullmatch(raw) or _V6_PORT.fullmatch(raw)
    return match.group("addr") if match else raw


def _text(value: Address | Network) -> str:
    if isinstance(value, IPv4Network | IPv6Network):
        if value.num_addresses == 1:
            return str(value.network_address)
        return str(value)
    return str(value)


def _inside(value: Address | Network, within: str) -> bool:
    network = ip_network(within)
    if isinstance(value, IPv4Network | IPv6Network):
        return value.version == network.version and value.subnet_of(network)  # type: ignore[arg-type]
    return value.version == network.version and value in network


class IpChecker(Checker):
    name = "ip"
    summary = "An IPv4 or IPv6 address in any notation; optionally a CIDR network."
    Params = IpParams

    def parse(self, raw: str, params: IpParams) -> Address | Network:
        """The address (or, with ``cidr: true``, network) an answer names."""
        if params.allow_port:
            raw = _drop_port(raw)
        if "/" in raw:
            if not params.cidr:
                raise InvalidAnswer(
                    "This task wants a single address, not a network.", "Leave out the '/prefix'."
                )
            return parse_network(raw, map_v4=params.map_v4)
        return parse_address(raw, map_v4=params.map_v4)

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, IpParams)
        return _text(self.parse(raw, params))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        return self.normalize(str(value), params)

    def check_expected(self, values: tuple[Any, ...], params: CheckerParams) -> list[str]:
        assert isinstance(params, IpParams)
        problems = super().check_expected(values, params)
        if params.within is None or problems:
            return problems
        for value in values:
            if not _inside(self.parse(str(value), params), params.within):
                problems.append(f"expected value {value!r} is not within {params.within}")
        return problems

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, IpParams)
        try:
            value = self.parse(answer, params)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        normalized = _text(value)
        if params.within is not None and not _inside(value, params.within):
            return Verdict.wrong(
                normalized, "Not correct: that is outside the network in question."
            )
        if not key.values and not key.sealed:
            return Verdict.correct(normalized)  # membership of `within` is the whole test
        if self.key_matches(normalized, key, params):
            return Verdict.correct(normalized)
        return Verdict.wrong(normalized)


CHECKER = IpChecker
