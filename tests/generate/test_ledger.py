"""The ledger generator: a peel chain from a victim to an exchange deposit, exported as an
explorer CSV whose txids and addresses python-bitcoinlib recomputes independently."""

from __future__ import annotations

import csv
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from bitcoin.core import CMutableTransaction, COutPoint, CTxIn, CTxOut, b2lx, lx
from bitcoin.wallet import CBitcoinAddress

from runner.evidence.artifacts import bitcoin
from runner.generate.story import LoadedStory, load_story
from runner.generate.variant import Variant, generate_variant
from runner.scenario.problems import ScenarioError

STORY = """\
schema_version: 1
id: ledger-test
variables:
  victim: {bitcoin: p2pkh}
  suspect: {bitcoin: p2wpkh}
  chain: {bitcoin: p2wpkh, count: 5}
  deposit: {bitcoin: p2sh}
  hot: {bitcoin: p2wpkh}
  amount: {range: [30000000, 90000000]}
  hops: {range: [2, 6]}
outputs:
  ledger:
    kind: ledger
    time: "2024-10-09T12:00:00Z"
    victim: "{{victim}}"
    amount: "{{amount}}"
    suspect: "{{suspect}}"
    chain: "{{chain}}"
    hops: "{{hops}}"
    deposit: "{{deposit}}"
    hot_wallet: "{{hot}}"
    noise: 5
"""


def _story(tmp_path: Path, text: str = STORY) -> LoadedStory:
    path = tmp_path / "story.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_story(path)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> LoadedStory:
    return _story(tmp_path_factory.mktemp("ledger"))


def _rows(variant: Variant) -> dict[str, dict[str, list[dict[str, str]]]]:
    txs: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: {"in": [], "out": []})
    with variant.files["ledger"].open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            txs[row["txid"]][row["io"]].append(row)
    return txs


def _sat(row: dict[str, str]) -> int:
    return bitcoin.satoshi(row["value_btc"])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_txid_and_address_is_real_for_python_bitcoinlib(story: LoadedStory, seed: int,
                                                              tmp_path: Path) -> None:
    for txid, tx in _rows(generate_variant(story, seed, tmp_path)).items():
        ins = sorted(tx["in"], key=lambda r: int(r["index"]))
        outs = sorted(tx["out"], key=lambda r: int(r["index"]))
        rebuilt = CMutableTransaction(
            [CTxIn(COutPoint(lx(r["prev_txid"]), int(r["prev_index"])), nSequence=0xFFFFFFFD)
             for r in ins],
            [CTxOut(_sat(r), CBitcoinAddress(r["address"]).to_scriptPubKey()) for r in outs],
            nLockTime=int(ins[0]["block_height"]) - 1, nVersion=2)
        assert b2lx(rebuilt.GetTxid()) == txid
        assert all(str(CBitcoinAddress(r["address"])) == r["address"] for r in ins + outs)
        assert sum(map(_sat, ins)) > sum(map(_sat, outs))  # every transaction pays a fee


def test_the_chain_leads_from_the_victim_to_the_deposit(story: LoadedStory,
                                                        tmp_path: Path) -> None:
    for seed in range(6):
        variant = generate_variant(story, seed, tmp_path / str(seed))
        txs, values, led = _rows(variant), variant.values, variant.values["ledger"]
        payment = txs[led["payment"]["txid"]]
        assert [r["address"] for r in payment["in"]] == [values["victim"]]
        paid = next(r for r in payment["out"] if r["address"] == values["suspect"])
        assert float(paid["value_btc"]) == led["payment"]["amount"]
        hop, visited = paid, []
        while hop["address"] != values["deposit"]:
            nxt = txs[hop["spending_txid"]]
            visited.append(hop["spending_txid"])
            assert [r["address"] for r in nxt["in"]] == [hop["address"]]
            # the change is the odd amount; the peel a round one to another address type
            change = [r for r in nxt["out"] if _sat(r) % 100_000]
            assert len(change) == 1 and len(nxt["out"]) in (1, 2)
            hop = change[0]
        assert visited == led["hop_txids"] and len(visited) == led["hops"] == values["hops"]
        assert led["change"] == values["chain"][:values["hops"] - 1]
        assert float(hop["value_btc"]) == led["deposit"]["amount"]
        sweep = txs[hop["spending_txid"]]
        assert len(sweep["in"]) == led["sweep"]["inputs"] >= 3
        assert [r["address"] for r in sweep["out"]] == [values["hot"]]


def test_links_heights_and_order_are_consistent(story: LoadedStory, tmp_path: Path) -> None:
    variant = generate_variant(story, 9, tmp_path)
    txs = _rows(variant)
    lines = variant.files["ledger"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(("txid", "block_height", "block_time", "io", "index", "address",
                                 "value_btc", "prev_txid", "prev_index", "spending_txid"))
    times = [(line.split(",")[2], int(line.split(",")[1])) for line in lines[1:]]
    assert times == sorted(times)  # block order: time and height rise together
    for txid, tx in txs.items():
        for row in tx["in"]:
            if row["prev_txid"] in txs:
                spent = txs[row["prev_txid"]]["out"][int(row["prev_index"])]
                assert spent["spending_txid"] == txid and spent["address"] == row["address"]
                assert spent["value_btc"] == row["value_btc"]


def test_same_seed_same_bytes(story: LoadedStory, tmp_path: Path) -> None:
    one = generate_variant(story, 5, tmp_path / "a")
    again = generate_variant(story, 5, tmp_path / "b")
    other = generate_variant(story, 6, tmp_path / "c")
    assert one.sha256 == again.sha256 and one.values == again.values
    assert one.sha256 != other.sha256


@pytest.mark.parametrize(("change", "message"), [
    ('victim: "{{victim}}"', "not a valid Bitcoin address"),
    ('hops: "{{hops}}"', "change addresses"),
    ('deposit: "{{deposit}}"', "named twice"),
    ('time: "2024-10-09T12:00:00Z"', "before 2023"),
])
def test_bad_parameters_are_reported_with_their_line(tmp_path: Path, change: str,
                                                     message: str) -> None:
    wrong: dict[str, Any] = {
        'victim: "{{victim}}"': 'victim: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"',
        'hops: "{{hops}}"': "hops: 9",
        'deposit: "{{deposit}}"': 'deposit: "{{hot}}"',
        'time: "2024-10-09T12:00:00Z"': 'time: "2019-05-01T00:00:00Z"',
    }
    with pytest.raises(ScenarioError) as caught:
        _story(tmp_path, STORY.replace(change, wrong[change]))
    lines = [p.one_line() for p in caught.value.problems]
    assert any(message in line and "story.yaml:" in line for line in lines), lines


def test_an_unknown_address_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        _story(tmp_path, STORY.replace("{bitcoin: p2sh}", "{bitcoin: p2tr}"))
    assert "p2wpkh" in caught.value.problems[0].one_line()
