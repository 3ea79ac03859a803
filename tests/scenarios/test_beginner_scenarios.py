"""The guided beginner scenarios (issue 13): every course block with scenarios has a
beginner one, and the hints of phishing-basics, dns-tunnel-basics and phone-contacts,
run with the reference tools (the email package, tshark, sqlite3) on a variant, give
exactly that variant's keys. Their 20-variant self-tests are here too (dns-tunnel-basics'
runs in test_story_scenarios.py with the other generated captures)."""

from __future__ import annotations

import base64
import hashlib
import json
import mailbox
import re
import shutil
import subprocess
import tarfile
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"reference tool '{name}' is missing: see tools/system-packages.txt"
    return path


def _variant(cli: CliRunner, sid: str, seed: int, out: Path) -> dict[str, Any]:
    made = cli("variant", str(ROOT / "scenarios" / f"{sid}.yaml"), "--seed", str(seed),
               "--out", str(out))
    assert made.code == 0, made.stderr
    sheet: dict[str, Any] = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    return sheet


def test_every_block_with_scenarios_has_a_beginner_one(cli: CliRunner) -> None:
    rows = json.loads(cli("list", "--json").stdout)["scenarios"]
    blocks = {b for r in rows for b in r["blocks"]}
    easy = {b for r in rows if r["level"] == "beginner" for b in r["blocks"]}
    assert blocks - easy == set()
    assert {"phishing", "tunnelling-c2", "mobile"} <= easy


@pytest.mark.slow
@pytest.mark.parametrize(("sid", "crossed"), [("phishing-basics", 8), ("phone-contacts", 7)])
def test_verify_twenty_variants(sid: str, crossed: int, cli: CliRunner) -> None:
    result = cli("verify", str(ROOT / "scenarios" / f"{sid}.yaml"), "--variants", "20",
                 "--json")
    report = json.loads(result.stdout)["scenarios"][0]
    assert result.code == 0, [v["problems"] for v in report["variants"] if not v["ok"]]
    assert len(report["variants"]) == 20 and report["failed"] == 0
    assert all(v["cross_checked"] == crossed for v in report["variants"])
    assert len({next(iter(v["sha256"].values())) for v in report["variants"]}) == 20


@pytest.mark.parametrize("seed", [2, 13])
def test_phishing_headers_read_by_the_email_package(seed: int, cli: CliRunner,
                                                    tmp_path: Path) -> None:
    sheet = _variant(cli, "phishing-basics", seed, tmp_path)
    box = mailbox.mbox(str(tmp_path / "mailbox.mbox"))
    try:
        raw = [m.as_bytes() for m in box]
    finally:
        box.close()
    (message,) = [m for m in (message_from_bytes(r, policy=policy.default) for r in raw)
                  if isinstance(m, EmailMessage) and m.is_multipart()]
    assert message["From"].addresses[0].addr_spec == sheet["sender"]
    assert message["From"].addresses[0].display_name.endswith("Security Team")
    assert message["Reply-To"].addresses[0].addr_spec == sheet["reply-to"] != sheet["sender"]
    first_hop = message.get_all("Received")[-1]
    assert f"[{sheet['origin-ip']}]" in first_hop and "with ESMTPSA" in first_hop
    html = message.get_body(("html",))
    assert html is not None
    (href, text) = re.findall(r'<a href="([^"]+)">([^<]+)</a>', html.get_content())[0]
    assert href.split("/")[2] == sheet["link-domain"] != text.split("/")[2]
    (part,) = message.iter_attachments()
    assert part.get_filename() == sheet["attachment-name"]
    assert part.get_content_type() == sheet["attachment-type"]
    payload = part.get_payload(decode=True)
    assert hashlib.sha256(payload).hexdigest() == sheet["attachment-sha256"]
    spf, dkim = sheet["auth-results"].split(":")
    assert f"spf={spf} " in message["Authentication-Results"]
    assert f"dkim={dkim};" in message["Authentication-Results"]


def _fields(capture: Path, display: str, *fields: str) -> list[list[str]]:
    argv = [_tool("tshark"), "-r", str(capture), "-Y", display, "-T", "fields"]
    for field in fields:
        argv += ["-e", field]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


@pytest.mark.parametrize("seed", [2, 13])
def test_dns_tunnel_hints_rebuild_the_file_and_time_the_beacon(seed: int, cli: CliRunner,
                                                               tmp_path: Path) -> None:
    sheet = _variant(cli, "dns-tunnel-basics", seed, tmp_path)
    capture = tmp_path / "accounting.pcap"
    txt = _fields(capture, "dns.flags.response == 0 && dns.qry.type == 16", "ip.src",
                  "dns.qry.name")
    assert {src for src, _ in txt} == {sheet["tunnel-host"]}
    assert len(txt) == int(sheet["tunnel-queries"])
    domain = sheet["tunnel-domain"]
    # the second and third hints, as a trainee pastes them
    pipeline = (f"{_tool('tshark')} -r {capture} -Y 'dns.flags.response == 0 && "
                f"dns.qry.type == 16' -T fields -e dns.qry.name | sort -u | sed "
                f"'s/\\.{domain}$//' | cut -d. -f2- | tr -d '.\\n'")
    labels = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True,
                            check=True).stdout.strip().upper()
    data = base64.b32decode(labels + "=" * (-len(labels) % 8))
    assert hashlib.sha256(data).hexdigest() == sheet["leaked-file"]
    assert f";{sheet['vpn-password']}\n" in data.decode().split("\n", 2)[2]
    times = [float(t) for (t,) in _fields(
        capture, f'http.request && http.host == "{sheet["beacon-domain"]}"',
        "frame.time_relative")]
    assert len(times) == int(sheet["beacon-count"])
    mean = (times[-1] - times[0]) / (len(times) - 1)
    assert abs(mean - float(sheet["beacon-interval"])) <= 1.5


def _sql(db: Path, query: str) -> str:
    return subprocess.run([_tool("sqlite3"), str(db), query], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.parametrize("seed", [2, 13])
def test_phone_hints_run_in_sqlite3_give_the_keys(seed: int, cli: CliRunner,
                                                  tmp_path: Path) -> None:
    sheet = _variant(cli, "phone-contacts", seed, tmp_path)
    with tarfile.open(tmp_path / "extraction.tar") as archive:
        archive.extractall(tmp_path / "x", filter="data")
    data = tmp_path / "x" / "data" / "data"
    contacts = data / "com.android.providers.contacts/databases/contacts2.db"
    calls = data / "com.android.providers.contacts/databases/calllog.db"
    sms = data / "com.android.providers.telephony/databases/mmssms.db"
    assert _sql(contacts, "SELECT count(*) FROM raw_contacts;") == str(sheet["contacts"])
    assert _sql(sms, "SELECT address FROM sms WHERE body LIKE '%code%';") == sheet["sms-sender"]
    name = ("SELECT r.display_name FROM raw_contacts r JOIN data d ON d.raw_contact_id = r._id "
            "WHERE d.data1 = '{}';")
    assert _sql(contacts, name.format(sheet["sms-sender"])) == sheet["saved-as"]
    number = sheet["sms-sender"]
    assert _sql(calls, f"SELECT count(*) FROM calls WHERE number = '{number}';") == str(
        sheet["scam-calls"])
    last = _sql(calls, "SELECT datetime(max(date) / 1000, 'unixepoch') FROM calls WHERE "
                f"number = '{number}';")
    assert last.replace(" ", "T") + "Z" == sheet["last-call"]
    top = _sql(calls, "SELECT number, name, count(*) AS n FROM calls GROUP BY number "
               "ORDER BY n DESC LIMIT 3;").splitlines()
    first, second = (row.split("|") for row in top[:2])
    assert first[0] == sheet["most-called"] and int(first[2]) > int(second[2])
    assert _sql(contacts, name.format(sheet["most-called"])) == sheet["top-name"]
    assert _sql(calls, "SELECT count(*) FROM calls WHERE type = 3 AND duration > 0;") == "0"
