"""Blockchain ledger exports: transactions, their inputs and outputs, and each address's
totals, from a block explorer's CSV (one row per input or output).

Amounts are summed in satoshi, never in floating point, so totals and fees are exact;
each address is decoded with its checksum, so a mistyped address in an export shows
as ``invalid`` rather than as a different wallet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts import bitcoin


@dataclass
class _Tx:
    time: str
    height: int
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Totals:
    received: int = 0
    sent: int = 0
    txids: set[str] = field(default_factory=set)
    times: list[str] = field(default_factory=list)


@register
class LedgerAnalyzer(KindAnalyzer):
    name = "ledger"
    version = "1"
    description = "Blockchain ledger exports: transactions, inputs, outputs, address totals"
    kinds = frozenset({"ledger"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "transactions": (
            Field("txid", "str", "transaction id (hex, as explorers print it)"),
            Field("block_height", "int", "block it was mined in (-1 if not given)"),
            Field("time", "str", "block time, ISO 8601 UTC"),
            Field("inputs", "int", "coins spent"),
            Field("outputs", "int", "outputs created"),
            Field("input_btc", "float", "value of the coins spent, BTC"),
            Field("output_btc", "float", "value of the outputs, BTC"),
            Field("fee_btc", "float", "inputs minus outputs, BTC (the miner's fee)"),
        ),
        "inputs": (
            Field("txid", "str", "spending transaction"),
            Field("index", "int", "input position in it"),
            Field("address", "str", "address whose coin is spent"),
            Field("value_btc", "float", "value of the coin, BTC"),
            Field("prev_txid", "str", "transaction that created the coin"),
            Field("prev_index", "int", "output position in that transaction (-1 if not given)"),
            Field("time", "str", "block time of the spending transaction"),
        ),
        "outputs": (
            Field("txid", "str", "transaction creating the output"),
            Field("index", "int", "output position"),
            Field("address", "str", "address paid"),
            Field("value_btc", "float", "value, BTC"),
            Field("time", "str", "block time of the transaction"),
            Field("spending_txid", "str", "transaction that spent it ('' if unspent)"),
            Field("round", "bool", "a round amount (a multiple of 0.001 BTC): payments "
                  "often are, change rarely is"),
        ),
        "addresses": (
            Field("address", "str", "address"),
            Field("type", "str", "p2pkh, p2sh, p2wpkh, or invalid (bad checksum or form)"),
            Field("received_btc", "float", "total paid to it, BTC"),
            Field("sent_btc", "float", "total spent from it, BTC"),
            Field("balance_btc", "float", "received minus sent, BTC"),
            Field("transactions", "int", "transactions it appears in"),
            Field("first_seen", "str", "earliest block time it appears at"),
            Field("last_seen", "str", "latest block time it appears at"),
        ),
    }

    def setup(self) -> None:
        self.txs: dict[str, _Tx] = {}

    def run(self, source: Any) -> None:
        rows: list[dict[str, Any]] = source
        for row in rows:
            try:
                self._row(row)
            except ValueError as exc:
                self.note(f"skipped: {exc}", where=f"line {row['_line']}")

    def _row(self, row: dict[str, Any]) -> None:
        def cell(name: str) -> str:
            value = row.get(name)
            return value.strip() if isinstance(value, str) else ""

        txid, io = cell("txid").lower(), cell("io").lower()
        if not txid or io not in ("in", "out"):
            raise ValueError(f"no txid, or io is {io!r} (expected in or out)")
        tx = self.txs.setdefault(txid, _Tx(cell("block_time"),
                                           int(cell("block_height") or -1)))
        entry = {"index": int(cell("index")), "address": cell("address"),
                 "value": bitcoin.satoshi(cell("value_btc"))}
        if io == "in":
            entry.update(prev_txid=cell("prev_txid").lower(),
                         prev_index=int(cell("prev_index") or -1))
            tx.inputs.append(entry)
        else:
            entry["spending_txid"] = cell("spending_txid").lower()
            tx.outputs.append(entry)

    def finish(self) -> Tables:
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}
        totals: dict[str, _Totals] = defaultdict(_Totals)
        for txid, tx in self.txs.items():
            spent = sum(i["value"] for i in tx.inputs)
            made = sum(o["value"] for o in tx.outputs)
            rows["transactions"].append({
                "txid": txid, "block_height": tx.height, "time": tx.time,
                "inputs": len(tx.inputs), "outputs": len(tx.outputs),
                "input_btc": _btc(spent), "output_btc": _btc(made),
                "fee_btc": _btc(spent - made)})
            for item in tx.inputs:
                rows["inputs"].append({
                    "txid": txid, "index": item["index"], "address": item["address"],
                    "value_btc": _btc(item["value"]), "prev_txid": item["prev_txid"],
                    "prev_index": item["prev_index"], "time": tx.time})
                _tally(totals[item["address"]], txid, tx.time, sent=item["value"])
            for item in tx.outputs:
                rows["outputs"].append({
                    "txid": txid, "index": item["index"], "address": item["address"],
                    "value_btc": _btc(item["value"]), "time": tx.time,
                    "spending_txid": item["spending_txid"],
                    "round": item["value"] % 100_000 == 0})
                _tally(totals[item["address"]], txid, tx.time, received=item["value"])
        for address, total in totals.items():
            decoded = bitcoin.decode(address)
            rows["addresses"].append({
                "address": address, "type": decoded.type if decoded else "invalid",
                "received_btc": _btc(total.received), "sent_btc": _btc(total.sent),
                "balance_btc": _btc(total.received - total.sent),
                "transactions": len(total.txids), "first_seen": min(total.times),
                "last_seen": max(total.times)})
        return dict(rows)


def _tally(total: _Totals, txid: str, time: str, sent: int = 0, received: int = 0) -> None:
    total.sent += sent
    total.received += received
    total.txids.add(txid)
    total.times.append(time)


def _btc(satoshi: int) -> float:
    return round(satoshi / bitcoin.SATOSHI, 8)
