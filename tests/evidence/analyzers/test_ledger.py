"""The ledger kind and analyzer: a block explorer's CSV export read into exact tables,
recognised by its header (not its name), with unreadable rows as warnings."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.errors import DflabError, EvidenceError
from runner.evidence.kinds.dispatch import analyze_evidence, kind_of

HEADER = "txid,block_height,block_time,io,index,address,value_btc,prev_txid,prev_index," \
    "spending_txid\n"
A, B = "a" * 64, "b" * 64
PAYER = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
PAYEE = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
CHANGE = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
TYPO = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"  # one character off: a bad checksum
# Transaction A spends 0.3 BTC (0.1 + 0.2, which floating point would not sum exactly)
# into a round payment and change; B spends the change to a mistyped address.
ROWS = [
    f"{A},800000,2024-10-01T10:00:00Z,in,0,{PAYER},0.10000000,{'c' * 64},1,",
    f"{A},800000,2024-10-01T10:00:00Z,in,1,{PAYER},0.20000000,{'d' * 64},0,",
    f"{A},800000,2024-10-01T10:00:00Z,out,0,{PAYEE},0.05000000,,,",
    f"{A},800000,2024-10-01T10:00:00Z,out,1,{CHANGE},0.24998765,,,{B}",
    f"{B},800003,2024-10-01T10:31:00Z,in,0,{CHANGE},0.24998765,{A},1,",
    f"{B},800003,2024-10-01T10:31:00Z,out,0,{TYPO},0.24990000,,,",
]


def _export(tmp_path: Path, rows: list[str], name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_transactions_inputs_outputs_and_fees_are_exact(tmp_path: Path) -> None:
    facts = analyze_evidence(_export(tmp_path, ROWS))
    assert facts.kind == "ledger" and facts.warnings == []
    txs = {r["txid"]: r for r in facts.tables["ledger.transactions"]}
    assert txs[A]["input_btc"] == 0.3 and txs[A]["fee_btc"] == 0.00001235
    assert (txs[A]["inputs"], txs[A]["outputs"], txs[A]["block_height"]) == (2, 2, 800000)
    assert txs[B]["fee_btc"] == 0.00008765
    outputs = {(r["txid"], r["index"]): r for r in facts.tables["ledger.outputs"]}
    assert outputs[(A, 0)]["round"] is True and outputs[(A, 1)]["round"] is False
    assert outputs[(A, 1)]["spending_txid"] == B and outputs[(B, 0)]["spending_txid"] == ""
    spent = [r for r in facts.tables["ledger.inputs"] if r["txid"] == B]
    assert spent == [{"txid": B, "index": 0, "address": CHANGE, "value_btc": 0.24998765,
                      "prev_txid": A, "prev_index": 1, "time": "2024-10-01T10:31:00Z"}]


def test_address_totals_and_types_show_a_mistyped_address(tmp_path: Path) -> None:
    facts = analyze_evidence(_export(tmp_path, ROWS))
    rows = {r["address"]: r for r in facts.tables["ledger.addresses"]}
    assert {a: r["type"] for a, r in rows.items()} == {
        PAYER: "p2pkh", PAYEE: "p2sh", CHANGE: "p2wpkh", TYPO: "invalid"}
    assert rows[PAYER]["sent_btc"] == 0.3 and rows[PAYER]["balance_btc"] == -0.3
    assert rows[CHANGE]["received_btc"] == rows[CHANGE]["sent_btc"] == 0.24998765
    assert rows[CHANGE]["balance_btc"] == 0 and rows[CHANGE]["transactions"] == 2
    assert (rows[CHANGE]["first_seen"], rows[CHANGE]["last_seen"]) == (
        "2024-10-01T10:00:00Z", "2024-10-01T10:31:00Z")


def test_unreadable_rows_are_warnings_naming_their_line(tmp_path: Path) -> None:
    damaged = [*ROWS[:2], f"{A},800000,x,sideways,2,{PAYEE},1,,,",
               f"{A},800000,x,out,3,{PAYEE},1.5 BTC,,,", *ROWS[2:]]
    facts = analyze_evidence(_export(tmp_path, damaged))
    assert [w.split(": ")[0] for w in facts.warnings] == ["line 4", "line 5"]
    assert "expected in or out" in facts.warnings[0] and "1.5 BTC" in facts.warnings[1]
    assert len(facts.tables["ledger.outputs"]) == 3  # the good rows are all kept


def test_the_kind_is_found_by_the_header_not_the_name(tmp_path: Path) -> None:
    assert kind_of(_export(tmp_path, ROWS, name="notes.txt")).name == "ledger"
    other = tmp_path / "other.csv"
    other.write_text("date,amount,currency\n01.03,120,UAH\n", encoding="utf-8")
    assert _kind_or_none(other) != "ledger"  # a budget CSV is not a ledger


def _kind_or_none(path: Path) -> str | None:
    try:
        return kind_of(path).name
    except EvidenceError:
        return None


def test_facts_cli_queries_an_export(tmp_path: Path, cli: CliRunner) -> None:
    path = _export(tmp_path, ROWS)
    result = cli("facts", str(path), "--json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "ledger"
    query = "{from: ledger.outputs, where: {txid: " + A + ", round: false}, select: address}"
    found = cli("facts", str(path), "--query", query)
    assert found.code == 0 and CHANGE in found.stdout


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=12)),
                      min_size=1, max_size=6),
       cut=st.none() | st.integers(1, 999))
def test_mutated_exports_give_facts_or_one_clear_error(tmp_path: Path,
                                                       edits: list[tuple[int, bytes]],
                                                       cut: int | None) -> None:
    data = bytearray((HEADER + "\n".join(ROWS) + "\n").encode())
    for where, payload in edits:
        at = where * len(data) // 10**6
        data[at:at + len(payload)] = payload
    path = tmp_path / "mutant.csv"
    path.write_bytes(bytes(data[: cut * len(data) // 1000] if cut else data))
    try:
        facts = analyze_evidence(path)
    except DflabError:
        return  # one clear error: not a ledger any more, or not text
    if facts.kind == "ledger":  # a mangled header may make it another kind, or none
        assert len(facts.tables["ledger.outputs"]) <= 4
