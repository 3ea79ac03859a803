"""v3 onion addresses: real services' addresses validate, drawn ones are real ed25519 keys
with the spec's checksum, and a mistyped copy fails; the story sources that draw them."""

from __future__ import annotations

import base64
import random
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from runner.generate import onion
from runner.generate.story import draw, load_story
from runner.scenario.problems import ScenarioError

# Published v3 addresses of real services (the Tor Project, DuckDuckGo, Facebook): made by
# Tor itself, so they are an outside test vector for the checksum and version byte.
REAL = ["2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion",
        "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
        "facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd.onion"]


@pytest.mark.parametrize("address", REAL)
def test_real_addresses_validate_and_re_encode_from_their_key(address: str) -> None:
    assert onion.is_valid(address) and onion.is_valid(address.upper())
    key = base64.b32decode(address.removesuffix(".onion").upper())[:32]
    assert onion.encode(key) == address
    Ed25519PublicKey.from_public_bytes(key)  # a real curve point


@pytest.mark.parametrize("address", REAL)
def test_one_changed_character_breaks_the_checksum(address: str) -> None:
    typo = onion.mistype(random.Random(3), address)
    assert sum(a != b for a, b in zip(typo, address, strict=True)) == 1
    assert not onion.is_valid(typo)


@pytest.mark.parametrize("bad", ["", "duckduckgo.com", REAL[0][:-7] + ".com", REAL[0][1:],
                                 "http://" + REAL[0], REAL[0].replace("2", "1", 1),
                                 # right checksum, version 2 instead of 3
                                 base64.b32encode(b"\0" * 32 + onion.checksum(b"\0" * 32)
                                                  + b"\x02").decode().lower() + ".onion"])
def test_what_is_not_a_v3_address(bad: str) -> None:
    assert not onion.is_valid(bad)


def test_drawn_addresses_are_valid_keys_and_repeat_per_seed() -> None:
    first = [onion.draw(random.Random(seed)) for seed in range(20)]
    assert first == [onion.draw(random.Random(seed)) for seed in range(20)]
    assert len(set(first)) == 20 and all(onion.is_valid(a) for a in first)
    for address in first:
        Ed25519PublicKey.from_public_bytes(
            base64.b32decode(address.removesuffix(".onion").upper())[:32])


@given(st.text(max_size=80))
def test_any_text_is_judged_without_an_error(text: str) -> None:
    assert onion.is_valid(text) in (True, False)


def _story(tmp_path: Path, variables: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        id: onions
        variables:
        """) + textwrap.indent(textwrap.dedent(variables), "  ") + textwrap.dedent("""\
        outputs:
          note: {kind: text, content: "{{pair.0}} {{pair.1}}"}
        """), encoding="utf-8")
    return path


def test_story_sources_draw_an_address_its_typo_and_a_fingerprint(tmp_path: Path) -> None:
    story = load_story(_story(tmp_path, """\
        shop: {onion: v3}
        fake: {onion_typo: shop}
        fp: {hex: 40}
        pair: {sample: ["{{shop}}", "{{fake}}"], count: 2}
        """))
    orders = set()
    for seed in range(8):
        values = draw(story, seed).values
        assert onion.is_valid(values["shop"]) and not onion.is_valid(values["fake"])
        assert sum(a != b for a, b in zip(values["shop"], values["fake"], strict=True)) == 1
        assert len(values["fp"]) == 40 and values["fp"] == values["fp"].upper()
        int(values["fp"], 16)
        assert sorted(values["pair"]) == sorted([values["shop"], values["fake"]])
        orders.add(values["pair"][0] == values["shop"])
    assert orders == {True, False}  # the note's order is drawn too


def test_a_typo_of_something_that_is_no_onion_is_reported_with_its_variable(
        tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_story(_story(tmp_path, """\
            shop: {value: example.com}
            fake: {onion_typo: shop}
            pair: {value: [a, b]}
            """))
    assert "variables.fake" in str(caught.value)
    assert "'onion_typo: shop' names no onion address" in str(caught.value)
