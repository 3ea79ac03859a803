"""Story variables: drawn per seed from ranges, address blocks, lists and word pools.

Every variable is one mapping with exactly one *source* key (``cidr``, ``range``,
``choice``, ``sample``, ``pool``, ``bitcoin``, ``template``, ``value``, ``hex``, ``onion``,
``onion_typo``) and optional modifiers. Values are drawn in the order written, so a
``template`` (or a ``choice``/``sample`` item) can use any variable above it.
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from runner.errors import InputError
from runner.evidence.artifacts import bitcoin
from runner.generate import onion
from runner.scenario.model import Strict

SOURCES = ("cidr", "range", "choice", "sample", "pool", "bitcoin", "template", "value", "hex",
           "onion", "onion_typo")
POOLS_DIR = Path(__file__).resolve().parent / "pools"
TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_0-9][\w-]*)*)\s*\}\}")
_MAX_TRIES = 10_000


class VarSpec(Strict):
    """How one variable is drawn (see docs/stories.md)."""

    cidr: str | None = Field(None, description="Draw a host address from this block (v4 or v6).")
    range: tuple[int, int] | None = Field(None, description="Draw an integer, both ends included.")
    choice: list[Any] | None = Field(None, description="Draw one item of the list.")
    sample: list[Any] | None = Field(None, description="Draw 'count' distinct items, in order.")
    pool: str | None = Field(None, description="Draw from a shipped word pool (pools/NAME.txt).")
    bitcoin: Literal["p2pkh", "p2sh", "p2wpkh", "zpub", "electrum-seed"] | None = Field(
        None, description="Draw a Bitcoin address of this type, an extended public key or "
        "an Electrum recovery phrase.")
    template: str | None = Field(None, description="Text with {{other.variables}} filled in.")
    value: Any = Field(None, description="A fixed value (the same in every variant).")
    hex: int | None = Field(None, ge=1, le=256, description="This many upper-case hex digits "
                            "(a relay fingerprint has 40).")
    onion: Literal["v3"] | None = Field(None, description="A valid v3 onion address of a "
                                        "seeded ed25519 key.")
    onion_typo: str | None = Field(None, description="The onion address of this variable with "
                                   "one character changed (its checksum fails).")
    count: int | None = Field(None, ge=1, le=10_000, description="Draw a list of this many.")
    distinct: bool = Field(True, description="Addresses differ from every other drawn address.")
    same_subnet_as: str | None = Field(None, description="Draw from the block of this variable.")

    @model_validator(mode="after")
    def _one_source(self) -> VarSpec:
        given = [name for name in SOURCES if getattr(self, name) is not None]
        if self.same_subnet_as is not None and not given:
            return self  # an address from another variable's block
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(SOURCES)} (found: "
                             f"{', '.join(given) or 'none'})")
        if self.sample is not None and self.count is None:
            raise ValueError("'sample' needs 'count'")
        return self


class Draw:
    """The values of one variant's variables, drawn in order from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.values: dict[str, Any] = {}
        self.blocks: dict[str, ipaddress.IPv4Network | ipaddress.IPv6Network] = {}
        self.taken: set[str] = set()

    def add(self, name: str, spec: VarSpec) -> Any:
        """Draw ``name`` and remember it; raise :class:`InputError` when it cannot be drawn."""
        if spec.count is not None and spec.sample is None:
            value: Any = [self._one(name, spec) for _ in range(spec.count)]
        else:
            value = self._one(name, spec)
        self.values[name] = value
        return value

    def _one(self, name: str, spec: VarSpec) -> Any:
        if spec.cidr is not None or spec.same_subnet_as is not None:
            return self._address(name, spec)
        if spec.range is not None:
            low, high = spec.range
            if low > high:
                raise InputError(f"variable '{name}': range {low}..{high} is empty",
                                 fix="write the smaller number first")
            return self.rng.randint(low, high)
        if spec.choice is not None:
            return self.rng.choice(render_any(spec.choice, self.values))
        if spec.sample is not None:
            count = spec.count or 1
            if count > len(spec.sample):
                raise InputError(f"variable '{name}': cannot draw {count} distinct items "
                                 f"from a list of {len(spec.sample)}", fix="lower 'count'")
            return self.rng.sample(render_any(spec.sample, self.values), count)
        if spec.pool is not None:
            return self.rng.choice(pool(spec.pool))
        if spec.bitcoin is not None:
            return bitcoin_value(self.rng, spec.bitcoin)
        if spec.template is not None:
            return render(spec.template, self.values)
        if spec.hex is not None:
            return f"{self.rng.getrandbits(4 * spec.hex):0{spec.hex}X}"
        if spec.onion is not None:
            return onion.draw(self.rng)
        if spec.onion_typo is not None:
            return onion.mistype(self.rng, self._onion(name, spec.onion_typo))
        return spec.value

    def _onion(self, name: str, other: str) -> str:
        found = self.values.get(other)
        if not isinstance(found, str) or not onion.is_valid(found):
            raise InputError(f"variable '{name}': 'onion_typo: {other}' names no onion address "
                             "variable above it",
                             fix="draw that variable with 'onion: v3' earlier in the list")
        return found

    def _address(self, name: str, spec: VarSpec) -> str:
        block = self._block(name, spec)
        hosts = block.num_addresses - (2 if block.version == 4 and block.prefixlen < 31 else 0)
        free = hosts - sum(1 for a in self.taken if ipaddress.ip_address(a) in block)
        if spec.distinct and free <= 0:
            raise InputError(f"variable '{name}': block {block} has no free host address left",
                             fix="use a larger block or fewer distinct addresses")
        first = int(block.network_address) + (1 if hosts < block.num_addresses else 0)
        for _ in range(_MAX_TRIES):
            address = str(ipaddress.ip_address(first + self.rng.randrange(max(hosts, 1))))
            if not spec.distinct or address not in self.taken:
                self.taken.add(address)
                self.blocks[name] = block
                return address
        raise InputError(f"variable '{name}': no distinct address found in {block}",
                         fix="use a larger block")

    def _block(self, name: str, spec: VarSpec) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        if spec.same_subnet_as is not None:
            if spec.same_subnet_as not in self.blocks:
                raise InputError(f"variable '{name}': 'same_subnet_as: {spec.same_subnet_as}' "
                                 "names no address variable above it",
                                 fix="name a variable drawn with 'cidr' earlier in the list")
            return self.blocks[spec.same_subnet_as]
        try:
            return ipaddress.ip_network(str(spec.cidr), strict=False)
        except ValueError:
            raise InputError(f"variable '{name}': {spec.cidr!r} is not an address block",
                             fix="write a block like 10.20.0.0/24 or 2001:db8::/64") from None


def bitcoin_value(rng: random.Random, kind: str) -> str:
    """A mainnet address (or zpub) from 20 (or 74) drawn bytes, with a valid checksum, or
    an Electrum recovery phrase.

    The bytes stand in for a key or script hash: no private key exists for them, so the
    addresses are real in form only and nobody can ever spend from them.
    """
    if kind == "electrum-seed":
        return bitcoin.electrum_seed(rng)
    if kind == "zpub":  # depth 3 (m/84'/0'/0'), a parent fingerprint, hardened child 0
        head = b"\x03" + rng.randbytes(4) + bytes.fromhex("80000000")
        return bitcoin.zpub(head, rng.randbytes(32), bytes([2 + rng.getrandbits(1)])
                            + rng.randbytes(32))
    types: dict[str, bitcoin.AddressType] = {name: name for name in bitcoin.ADDRESS_TYPES}
    return bitcoin.encode(types[kind], rng.randbytes(20))


@cache
def pool(name: str) -> tuple[str, ...]:
    """The words of a shipped pool; an unknown name lists the pools there are."""
    path = POOLS_DIR / f"{name}.txt"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        raise InputError(f"unknown word pool '{name}'", fix=f"use one of: {', '.join(pools())}")
    return tuple(w.strip() for w in path.read_text("utf-8").splitlines() if w.strip())


def pools() -> list[str]:
    """Names of the shipped word pools."""
    return sorted(p.stem for p in POOLS_DIR.glob("*.txt"))


def lookup(values: Mapping[str, Any], dotted: str) -> Any:
    """``victim.ip`` in ``values``; raise :class:`KeyError` naming the missing part."""
    current: Any = values
    for part in dotted.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise KeyError(dotted)
    return current


def render(text: str, values: Mapping[str, Any]) -> str:
    """Fill ``{{name.field}}`` placeholders; an unknown name is an :class:`InputError`."""

    def one(match: re.Match[str]) -> str:
        try:
            value = lookup(values, match.group(1))
        except KeyError:
            raise InputError(f"'{{{{{match.group(1)}}}}}' names no story value",
                             fix="define the variable, host or event it names") from None
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)

    return TEMPLATE.sub(one, text)


def render_any(value: Any, values: Mapping[str, Any]) -> Any:
    """Render placeholders inside strings, lists and mappings (a lone placeholder keeps its
    value's type, so ``ports: "{{open_ports}}"`` stays a list)."""
    if isinstance(value, str):
        whole = TEMPLATE.fullmatch(value.strip())
        if whole:
            try:
                return lookup(values, whole.group(1))
            except KeyError:
                pass  # render() raises the error with its message
        return render(value, values)
    if isinstance(value, list):
        return [render_any(v, values) for v in value]
    if isinstance(value, Mapping):
        return {k: render_any(v, values) for k, v in value.items()}
    return value


def placeholders(value: Any) -> set[str]:
    """Every dotted name a value's templates use (for validation before drawing)."""
    if isinstance(value, str):
        return {m.group(1) for m in TEMPLATE.finditer(value)}
    if isinstance(value, list):
        return set().union(*(placeholders(v) for v in value)) if value else set()
    if isinstance(value, Mapping):
        return set().union(*(placeholders(v) for v in value.values())) if value else set()
    return set()
