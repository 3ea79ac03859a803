"""``ledger``: a block explorer's export of the transactions that carried a victim's
payment through a peel chain into an exchange deposit address.

The graph is what an analyst meets on a real case: the victim's coins arrive from an
exchange withdrawal; the payment leaves change to a fresh victim address; each hop of
the peel chain pays a round amount away and sends the rest (the change) to a fresh
address of the suspect's own wallet; the last hop sends everything to a deposit address,
which the exchange later sweeps with other customers' deposits into its hot wallet.
Unrelated payments of the peeled-off coins make the export more than one straight line.
Addresses carry real checksums, each txid is SHA-256d of the transaction's serialisation,
block heights follow the block times, and every fee is a plausible rate times the size.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from runner.errors import InputError
from runner.evidence.artifacts import bitcoin
from runner.generate.registry import GenContext, Generator
from runner.generate.tools import iso, parse_when
from runner.generate.variables import bitcoin_value
from runner.scenario.model import Strict

HEADER = ("txid", "block_height", "block_time", "io", "index", "address", "value_btc",
          "prev_txid", "prev_index", "spending_txid")
# Block 769,787 was mined on 2023-01-01; a block every ten minutes on average after it.
BASE_HEIGHT, BASE_TIME = 769_787, datetime(2023, 1, 1, tzinfo=UTC)
# Round amounts a fraudster pays out of a peel chain (in satoshi): the round output is
# the payment, the odd remainder the change.
PEELS = (500_000, 1_000_000, 2_000_000, 2_500_000, 3_000_000, 5_000_000, 10_000_000)
VBYTES = {"p2pkh": 148, "p2sh": 91, "p2wpkh": 68}  # per input; outputs ~31-34 vB


class LedgerParams(Strict):
    time: str = Field(description="When the victim paid (ISO 8601); the block is minutes later.")
    victim: str = Field(description="The victim's address, whose coins pay the suspect.")
    amount: int = Field(ge=1_000_000, le=10_000 * bitcoin.SATOSHI,
                        description="The payment, in satoshi.")
    suspect: str = Field(description="The suspect's address the victim paid.")
    chain: list[str] = Field(min_length=1, description="The suspect's change addresses, in "
                             "the order the peel chain uses them.")
    hops: int = Field(ge=2, le=20, description="Transactions from the suspect's address to "
                      "the deposit (uses the first hops-1 change addresses).")
    deposit: str = Field(description="The exchange deposit address the chain ends at.")
    hot_wallet: str = Field(description="The exchange's hot wallet that sweeps deposits.")
    hours: float = Field(30, gt=0, le=24 * 60, description="At most this many hours a hop waits.")
    noise: int = Field(6, ge=0, le=200, description="Unrelated transactions in the export.")


@dataclass
class Tx:
    """One transaction: coins spent (previous txid, index, address, value), outputs and
    the block time it was mined at."""

    time: datetime
    inputs: list[tuple[str, int, str, int]]
    outputs: list[tuple[str, int]]
    id: str = ""
    spent_by: dict[int, str] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return BASE_HEIGHT + int((self.time - BASE_TIME).total_seconds() // 600)

    def seal(self) -> str:
        self.id = bitcoin.txid([(p, i) for p, i, _, _ in self.inputs], self.outputs,
                               self.height - 1)
        return self.id


def _fee(rng: random.Random, inputs: list[str], outputs: int) -> int:
    kinds = [bitcoin.decode(a) for a in inputs]
    size = 11 + outputs * 32 + sum(VBYTES[k.type] if k else 148 for k in kinds)
    return size * rng.randint(4, 40)


class Graph:
    """The transactions of one variant, built in time order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.txs: list[Tx] = []

    def fresh(self, kind: str) -> str:
        return bitcoin_value(self.rng, kind)

    def later(self, after: datetime, low: float, high: float) -> datetime:
        """A block time between ``low`` and ``high`` hours after ``after`` (whole seconds)."""
        return after + timedelta(seconds=int(self.rng.uniform(low, high) * 3600))

    def add(self, tx: Tx) -> Tx:
        self.rng.shuffle(tx.outputs)  # wallets randomise output order: position says nothing
        tx.seal()
        for prev, index, _, _ in tx.inputs:
            for earlier in self.txs:
                if earlier.id == prev:
                    earlier.spent_by[index] = tx.id
        self.txs.append(tx)
        return tx

    def pay(self, when: datetime, coin: tuple[str, int, str, int],
            outputs: list[tuple[str, int]], change: str | None) -> Tx:
        """Spend one coin to ``outputs``, the rest less the fee to ``change``."""
        fee = _fee(self.rng, [coin[2]], len(outputs) + (change is not None))
        rest = coin[3] - sum(v for _, v in outputs) - fee
        if rest <= 0 and change is not None:
            raise InputError("ledger: a hop has no coins left for its change",
                             fix="raise 'amount' or lower 'hops'")
        outs = outputs + ([(change, rest)] if change is not None else [])
        return self.add(Tx(when, [coin], outs))

    def coin(self, tx: Tx, address: str) -> tuple[str, int, str, int]:
        index = next(i for i, (a, _) in enumerate(tx.outputs) if a == address)
        return (tx.id, index, address, tx.outputs[index][1])

    def outside(self) -> tuple[str, int, str, int]:
        """A coin from a transaction outside the export."""
        return (self.rng.randbytes(32).hex(), self.rng.randrange(3), self.fresh("p2wpkh"),
                self.rng.randint(100_000, 50_000_000))


def build(params: LedgerParams, rng: random.Random,
          start: datetime) -> tuple[Graph, dict[str, Any]]:
    """The case's transactions and the story values they give."""
    graph = Graph(rng)
    withdrawn = rng.randint(200_000, 5_000_000) + params.amount
    source = graph.outside()
    source = (source[0], source[1], graph.fresh("p2sh"), withdrawn + rng.randint(10**7, 10**9))
    funding = graph.pay(start - timedelta(seconds=rng.randint(20 * 3600, 70 * 3600)), source,
                        [(params.victim, withdrawn)], graph.fresh("p2sh"))
    victim = bitcoin.decode(params.victim)
    # the victim's wallet sends change to a fresh address of its own type
    victim_change = graph.fresh(victim.type if victim else "p2pkh")
    payment = graph.pay(graph.later(start, 0.05, 0.4), graph.coin(funding, params.victim),
                        [(params.suspect, params.amount)], victim_change)
    hops, peels = _peel_chain(graph, params, graph.coin(payment, params.suspect))
    last, when = hops[-1], hops[-1].time
    peeled = sum(p["satoshi"] for p in peels)
    others = [graph.outside() for _ in range(rng.randint(2, 5))]
    coins = [graph.coin(last, params.deposit), *others]
    rng.shuffle(coins)
    total = sum(c[3] for c in coins)
    sweep = graph.add(Tx(graph.later(when, 1, 8), coins, [(params.hot_wallet, total - _fee(
        rng, [c[2] for c in coins], 1))]))
    _noise(graph, peels, params.noise)
    deposit = last.outputs[0][1]
    return graph, {
        "payment": {"txid": payment.id, "time": iso(payment.time), "block": payment.height,
                    "amount": float(bitcoin.btc(params.amount)),
                    "change_address": victim_change},
        "funding": {"txid": funding.id, "time": iso(funding.time)},
        "hops": len(hops),
        "hop_txids": [t.id for t in hops],
        "path": [params.suspect, *params.chain[:params.hops - 1]],
        "change": list(params.chain[:params.hops - 1]),
        "peels": [{k: v for k, v in p.items() if k != "satoshi"} for p in peels],
        "deposit": {"address": params.deposit, "txid": last.id, "time": iso(last.time),
                    "block": last.height, "amount": float(bitcoin.btc(deposit))},
        "sweep": {"txid": sweep.id, "time": iso(sweep.time), "inputs": len(coins)},
        "fees": float(bitcoin.btc(params.amount - deposit - peeled)),
        "transactions": len(graph.txs),
    }


def _peel_chain(graph: Graph, params: LedgerParams,
                coin: tuple[str, int, str, int]) -> tuple[list[Tx], list[dict[str, Any]]]:
    """The hops from the suspect's address: a round amount peeled off to someone else at
    each, the odd rest to the next change address, then everything to the deposit."""
    hops: list[Tx] = []
    peels: list[dict[str, Any]] = []
    when = next(t.time for t in graph.txs if t.id == coin[0])
    for change in params.chain[:params.hops - 1]:
        peel = graph.rng.choice([p for p in PEELS if p <= coin[3] * 0.3] or [PEELS[0]])
        peel_to = graph.fresh(graph.rng.choice(["p2pkh", "p2sh"]))
        when = graph.later(when, 0.5, params.hours)
        tx = graph.pay(when, coin, [(peel_to, peel)], change)
        hops.append(tx)
        peels.append({"address": peel_to, "amount": float(bitcoin.btc(peel)), "txid": tx.id,
                      "satoshi": peel})
        coin = graph.coin(tx, change)
    hops.append(graph.pay(graph.later(when, 0.5, params.hours), coin, [], params.deposit))
    return hops, peels


def _noise(graph: Graph, peels: list[dict[str, Any]], count: int) -> None:
    """Peeled-off coins moving on, and unrelated payments around the same days."""
    start = min(t.time for t in graph.txs)
    end = max(t.time for t in graph.txs)
    for index in range(count):
        when = graph.later(start, 0, (end - start).total_seconds() / 3600 + 24)
        if index < len(peels):
            tx = next(t for t in graph.txs if t.id == peels[index]["txid"])
            coin = graph.coin(tx, peels[index]["address"])
            when = graph.later(tx.time, 0.5, 48)
        else:
            coin = graph.outside()
        pay = graph.rng.randint(coin[3] // 4, coin[3] // 2)
        graph.pay(when, coin, [(graph.fresh(graph.rng.choice(["p2pkh", "p2wpkh"])), pay)],
                  graph.fresh("p2wpkh"))


def export_csv(graph: Graph) -> str:
    """One row per input and output, in block order, as an explorer's CSV export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for tx in sorted(graph.txs, key=lambda t: (t.time, t.id)):
        stamp = iso(tx.time)
        for index, (prev, prev_index, address, value) in enumerate(tx.inputs):
            writer.writerow([tx.id, tx.height, stamp, "in", index, address,
                             bitcoin.btc(value), prev, prev_index, ""])
        for index, (address, value) in enumerate(tx.outputs):
            writer.writerow([tx.id, tx.height, stamp, "out", index, address,
                             bitcoin.btc(value), "", "", tx.spent_by.get(index, "")])
    return buffer.getvalue()


class LedgerGenerator(Generator):
    kind: ClassVar[str] = "ledger"
    Params: ClassVar[type[BaseModel]] = LedgerParams
    suffix: ClassVar[str] = ".csv"
    evidence_kind: ClassVar[str] = "ledger"

    def check(self, params: BaseModel, ctx: GenContext) -> None:
        assert isinstance(params, LedgerParams)
        what = f"output '{ctx.output}'"
        if parse_when(params.time, what) < BASE_TIME + timedelta(days=3):
            raise InputError(f"{what}: 'time' is before 2023-01-04",
                             fix="block heights are counted from 2023: give a later time")
        named = [params.victim, params.suspect, *params.chain, params.deposit,
                 params.hot_wallet]
        for address in named:
            if bitcoin.decode(address) is None:
                raise InputError(f"{what}: {address!r} is not a valid Bitcoin address",
                                 fix="draw it with a variable '{bitcoin: p2wpkh}' (or p2pkh, "
                                 "p2sh)")
        if len(set(named)) != len(named):
            raise InputError(f"{what}: an address is named twice",
                             fix="give the victim, suspect, chain, deposit and hot wallet "
                             "addresses of their own")
        if params.hops - 1 > len(params.chain):
            raise InputError(f"{what}: {params.hops} hops need {params.hops - 1} change "
                             f"addresses, 'chain' has {len(params.chain)}",
                             fix="draw more chain addresses (count) or lower 'hops'")

    def generate(self, params: BaseModel, ctx: GenContext, out: Path) -> dict[str, Any]:
        assert isinstance(params, LedgerParams)
        self.check(params, ctx)
        start = parse_when(params.time, f"output '{ctx.output}'")
        graph, values = build(params, ctx.rng("ledger"), start)
        out.write_text(export_csv(graph), encoding="utf-8")
        return {ctx.output: values}
