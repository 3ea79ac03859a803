"""A trainee in the real disk lab traces the coins of a generated crypto-tracing variant
with the lab's own tools (awk, fls, icat, python3) and ``lab answer`` scores every task:
the keys are the story's, the evidence is what the lab mounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.docker

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "crypto-tracing.yaml"
# Follow the change from the suspect's output: a hop's single output is the deposit,
# otherwise the change is the output that is not a round amount.
FOLLOW = (
    "import csv, json, sys; rows = list(csv.DictReader(open(\"/evidence/transactions.csv\")));"
    "w = json.load(open(\"/work/wallet.json\"))[\"addresses\"];"
    "pay = [r for r in rows if r[\"io\"] == \"in\" and r[\"address\"] == sys.argv[1]][0][\"txid\"];"
    "cur = [r for r in rows if r[\"txid\"] == pay and r[\"io\"] == \"out\""
    " and r[\"address\"] in w[\"receiving\"]][0]; first = cur; hops = []\n"
    "while True:\n"
    "    outs = [r for r in rows if r[\"txid\"] == cur[\"spending_txid\"]"
    " and r[\"io\"] == \"out\"]\n"
    "    odd = [r for r in outs if not r[\"value_btc\"].endswith(\"00000\")]\n"
    "    hops.append(odd[0]); cur = odd[0]\n"
    "    if len(outs) == 1: break\n"
    "print(pay, first[\"address\"], first[\"value_btc\"], hops[0][\"address\"], cur[\"address\"],"
    " len(hops), cur[\"block_time\"], cur[\"value_btc\"])"
)


def _script(victim: str) -> str:
    return (
        "set -u; cd /work; "
        "W=$(fls -r -p /evidence/usb.img | awk -F'\\t' '/default_wallet/ {print $1}' "
        "| awk '{print $2}' | tr -d :); icat /evidence/usb.img \"$W\" > wallet.json; "
        f"set -- $(python3 -c '{FOLLOW}' {victim}); "
        "lab answer payment-txid $1; lab answer suspect-address $2; lab answer amount $3; "
        "lab answer change-address $4; lab answer deposit-address $5; lab answer hops $6; "
        "lab answer arrival $7; lab answer deposit-amount $8; "
        "lab answer account $(grep -o 'UID [0-9]*' /evidence/exchange-reply.txt | head -1 "
        "| cut -d' ' -f2); "
        "N=$(fls -r -p -d /evidence/usb.img | awk -F'\\t' '{print $2}'); "
        "lab answer seed-note \"/$N\"; lab score"
    )


def test_the_trace_with_the_labs_tools_scores_every_task(cli: Any, tmp_path: Path) -> None:
    built = cli("images", "build", "disk")  # a no-op when the image is current
    assert built.code == 0, built.stderr
    out = tmp_path / "v"
    assert cli("variant", str(SCENARIO), "--seed", "8", "--out", str(out)).code == 0
    values = json.loads((out / "variant.json").read_text(encoding="utf-8"))
    victim = values["values"]["victim_addr"]
    started = cli("start", str(SCENARIO), "--backend", "docker", "--seed", "8", "--run",
                  _script(victim), "--remove")
    text = started.stdout
    assert started.code == 0, started.stderr + text
    assert "Score: 110/110" in text, text
