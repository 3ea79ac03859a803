"""crypto-tracing (block crypto): valid in three languages, twenty variants self-test with
every key but one cross-checked by the ledger analyzer, seats differ, and each variant's
answer sheet is what The Sleuth Kit, the json and csv modules read from its evidence."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CliRunner, verified_variants

from runner.scenario.loader import validate_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "crypto-tracing.yaml"


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"reference tool '{name}' is missing: see tools/system-packages.txt"
    return path


def variant(cli: CliRunner, seed: int, out: Path) -> dict[str, Any]:
    made = cli("variant", str(SCENARIO), "--seed", str(seed), "--out", str(out))
    assert made.code == 0, made.stderr
    sheet = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    assert isinstance(sheet, dict)
    return sheet


def test_validates_cleanly_in_english_ukrainian_and_russian() -> None:
    loaded, problems = validate_scenario(SCENARIO)
    assert loaded is not None and problems == [], [p.one_line() for p in problems]
    model = loaded.model
    assert model.lab == "disk" and "crypto" in model.tags
    assert model.difficulty in ("beginner", "intermediate") and 5 <= len(model.tasks) <= 10
    for task in model.tasks:
        assert isinstance(task.question, dict) and set(task.question) == {"en", "uk", "ru"}
        assert task.hints and all(isinstance(h.text, dict) and set(h.text) == {"en", "uk", "ru"}
                                  for h in task.hints)
        assert task.answer["expected"].get("story"), task.id  # keys recomputed per variant
    assert sum(t.explanation is not None for t in model.tasks) >= 6


@pytest.mark.slow
def test_verify_twenty_variants(cli: CliRunner) -> None:
    rows = verified_variants(cli, SCENARIO)
    # every task but the exchange's account UID (a letter no analyzer reads) cross-checked:
    # eight by the ledger facts, the deleted seed note by the disk facts
    assert all(v["cross_checked"] == 9 for v in rows)


def test_seats_differ_and_a_seed_repeats_byte_for_byte(cli: CliRunner, tmp_path: Path) -> None:
    first = variant(cli, 1, tmp_path / "a")
    second = variant(cli, 2, tmp_path / "b")
    again = variant(cli, 1, tmp_path / "c")
    assert first == again
    for name in ("transactions.csv", "usb.img", "exchange-reply.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "c" / name).read_bytes()
    differ = [t for t in first if first[t] != second[t]]
    # hops and the seed note's name are drawn from four values each and may repeat
    assert len(differ) >= len(first) - 2, (first, second)


def _extract(image: Path, path: str) -> bytes:
    listing = subprocess.run([tool("fls"), "-r", "-p", str(image)], capture_output=True,
                             check=True, text=True).stdout
    line = next(x for x in listing.splitlines() if x.split(":\t", 1)[-1] == path)
    return subprocess.run([tool("icat"), str(image), line.split()[1].rstrip(":")],
                          capture_output=True, check=True).stdout


@pytest.mark.parametrize("seed", [3, 17])
def test_answers_are_what_the_reference_tools_read(seed: int, cli: CliRunner,
                                                   tmp_path: Path) -> None:
    sheet = variant(cli, seed, tmp_path)
    wallet = json.loads(_extract(tmp_path / "usb.img", "electrum_data/wallets/default_wallet"))
    assert sheet["suspect-address"] in wallet["addresses"]["receiving"]
    assert wallet["addresses"]["change"][0] == sheet["change-address"]
    assert wallet["use_encryption"] is False and wallet["keystore"]["xpub"].startswith("zpub")
    with (tmp_path / "transactions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    payment = [r for r in rows if r["txid"] == sheet["payment-txid"]]
    paid = next(r for r in payment if r["address"] == sheet["suspect-address"])
    assert float(paid["value_btc"]) == sheet["amount"]
    hop, hops = paid, 0
    while hop["address"] != sheet["deposit-address"]:
        outs = [r for r in rows if r["txid"] == hop["spending_txid"] and r["io"] == "out"]
        hop, hops = max(outs, key=lambda r: float(r["value_btc"])), hops + 1
    assert hops == sheet["hops"] and float(hop["value_btc"]) == sheet["deposit-amount"]
    assert hop["block_time"] == sheet["arrival"]
    reply = (tmp_path / "exchange-reply.txt").read_text(encoding="utf-8")
    saved = next(p for p in subprocess.run(
        [tool("fls"), "-r", "-p", str(tmp_path / "usb.img")], capture_output=True, check=True,
        text=True).stdout.splitlines() if "Documents/Saved/" in p).split(":\t", 1)[1]
    page = _extract(tmp_path / "usb.img", saved).decode()
    for text in (reply, page):
        assert sheet["deposit-address"] in text and f"UID {sheet['account']}" in text
    deleted = subprocess.run([tool("fls"), "-r", "-p", "-d", str(tmp_path / "usb.img")],
                             capture_output=True, check=True, text=True).stdout.splitlines()
    (entry,) = deleted
    assert entry.split(":\t", 1)[1] == sheet["seed-note"].lstrip("/")
    note = subprocess.run([tool("icat"), str(tmp_path / "usb.img"),
                           entry.split()[2].rstrip(":")], capture_output=True, check=True,
                          text=True).stdout
    phrase = note.splitlines()[1]
    assert len(phrase.split()) == 12  # Electrum restores it as a SegWit wallet:
    assert hmac.new(b"Seed version", phrase.encode(), hashlib.sha512).hexdigest()[:3] == "100"
