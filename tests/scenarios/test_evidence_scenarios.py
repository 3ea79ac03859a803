"""The story scenarios on disk, mail and phone evidence: valid in all three languages, every
variant self-tests, seats differ, and each variant's answer sheet is what the reference
tools (The Sleuth Kit, sqlite3, the email package) read from that variant's evidence."""

from __future__ import annotations

import hashlib
import io
import json
import mailbox
import shutil
import subprocess
import tarfile
import zipfile
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import CliRunner

from runner.scenario.loader import validate_scenario

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["phishing-basics", "phishing-mail", "phone-chat", "phone-contacts", "usb-stick"]
PATHS = [ROOT / "scenarios" / f"{n}.yaml" for n in NAMES]


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"reference tool '{name}' is missing: see tools/system-packages.txt"
    return path


def out_of(*argv: str) -> str:
    return subprocess.run([tool(argv[0]), *argv[1:]], capture_output=True, text=True,
                          check=True, errors="replace").stdout


def variant(cli: CliRunner, name: str, seed: int, out: Path) -> dict[str, Any]:
    made = cli("variant", str(ROOT / "scenarios" / f"{name}.yaml"), "--seed", str(seed),
               "--out", str(out))
    assert made.code == 0, made.stderr
    sheet = yaml.safe_load((out / "answers.yaml").read_text(encoding="utf-8"))
    assert isinstance(sheet, dict)
    return sheet


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_validates_cleanly_in_english_ukrainian_and_russian(path: Path) -> None:
    loaded, problems = validate_scenario(path)
    assert loaded is not None and problems == [], [p.one_line() for p in problems]
    assert loaded.model.lab == "disk"
    assert 5 <= len(loaded.model.tasks) <= 8
    for task in loaded.model.tasks:
        assert isinstance(task.question, dict) and set(task.question) == {"en", "ru", "uk"}
        assert task.hints and all(isinstance(h.text, dict) and set(h.text) == {"en", "ru", "uk"}
                                  for h in task.hints)
        assert task.solution is not None
        assert task.answer["expected"].get("story"), task.id  # keys recomputed per variant
    assert sum(t.explanation is not None for t in loaded.model.tasks) >= 2


@pytest.mark.parametrize("path", PATHS, ids=NAMES)
def test_verify_five_variants(path: Path, cli: CliRunner) -> None:
    result = cli("verify", str(path), "--variants", "5", "--json")
    report = json.loads(result.stdout)["scenarios"][0]
    assert result.code == 0, [v["problems"] for v in report["variants"] if not v["ok"]]
    assert len(report["variants"]) == 5 and report["failed"] == 0
    assert len({next(iter(v["sha256"].values())) for v in report["variants"]}) == 5
    # dflab's own disk, mail and phone (tar of databases) facts agree with the story
    crossed = {"usb-stick": 4, "phishing-mail": 6, "phone-chat": 3, "phishing-basics": 8,
               "phone-contacts": 7}[path.stem]
    assert all(v["cross_checked"] == crossed for v in report["variants"])


@pytest.mark.parametrize("name", NAMES)
def test_seats_differ_and_a_seed_repeats_byte_for_byte(name: str, cli: CliRunner,
                                                       tmp_path: Path) -> None:
    first = variant(cli, name, 1, tmp_path / "a")
    second = variant(cli, name, 2, tmp_path / "b")
    again = variant(cli, name, 1, tmp_path / "c")
    assert first == again
    evidence = next(p.name for p in (tmp_path / "a").iterdir()
                    if p.suffix in {".img", ".mbox", ".tar"})
    assert (tmp_path / "a" / evidence).read_bytes() == (tmp_path / "c" / evidence).read_bytes()
    differ = [t for t in first if first[t] != second[t]]
    assert len(differ) >= len(first) * 0.6, (first, second)


@pytest.mark.parametrize("seed", [3, 17])
def test_usb_answers_are_what_the_sleuth_kit_recovers(seed: int, cli: CliRunner,
                                                      tmp_path: Path) -> None:
    sheet = variant(cli, "usb-stick", seed, tmp_path)
    image = str(tmp_path / "usb.img")
    deleted = [line for line in out_of("fls", "-r", "-p", "-d", image).splitlines()
               if line.startswith("r/r * ")]
    assert len(deleted) == int(sheet["deleted-count"])
    entry = next(line for line in deleted
                 if line.split(":\t", 1)[1].lower() == sheet["deleted-path"].lstrip("/").lower())
    address = entry.split()[2].rstrip(":")
    data = subprocess.run([tool("icat"), image, address], capture_output=True,
                          check=True).stdout
    assert hashlib.sha256(data).hexdigest() == sheet["deleted-sha256"]
    assert sheet["account"] in data.decode()
    written = str(sheet["deleted-time"]).replace("T", " ").replace("Z", "")
    assert f"Written:\t{written} (UTC)" in out_of("istat", image, address)
    listing = out_of("fls", "-r", "-p", image)
    hidden = next(line for line in listing.splitlines()
                  if line.split(":\t", 1)[-1] == sheet["disguised-file"].lstrip("/"))
    blob = subprocess.run([tool("icat"), image, hidden.split()[1].rstrip(":")],
                          capture_output=True, check=True).stdout
    assert blob[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert str(sheet["garage-code"]) in archive.read("notes.txt").decode()


@pytest.mark.parametrize("seed", [3, 17])
def test_mail_answers_are_what_the_email_package_reads(seed: int, cli: CliRunner,
                                                       tmp_path: Path) -> None:
    sheet = variant(cli, "phishing-mail", seed, tmp_path)
    box = mailbox.mbox(str(tmp_path / "mailbox.mbox"))
    try:
        raw = [m.as_bytes() for m in box]
    finally:
        box.close()
    parsed = [message_from_bytes(r, policy=policy.default) for r in raw]
    phish = [m for m in parsed if isinstance(m, EmailMessage) and m.is_multipart()]
    assert len(phish) == 1
    message = phish[0]
    assert message["From"].addresses[0].addr_spec == sheet["sender"]
    received = message.get_all("Received")
    assert f"from {sheet['relay']} " in received[1]
    assert f"[{sheet['origin-ip']}]" in received[-1] and f"by {sheet['relay']} " in received[-1]
    html = message.get_body(("html",))
    assert html is not None and f"https://{sheet['link-domain']}/" in html.get_content()
    attachment = next(message.iter_attachments())
    payload = attachment.get_payload(decode=True)
    assert hashlib.sha256(payload).hexdigest() == sheet["attachment-sha256"]
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        assert archive.namelist() == [sheet["payload-name"]]


@pytest.mark.parametrize("seed", [3, 17])
def test_phone_answers_are_what_sqlite3_reads(seed: int, cli: CliRunner,
                                              tmp_path: Path) -> None:
    sheet = variant(cli, "phone-chat", seed, tmp_path)
    with tarfile.open(tmp_path / "extraction.tar") as archive:
        archive.extractall(tmp_path / "x", filter="data")
    data = tmp_path / "x" / "data" / "data"
    contacts = str(data / "com.android.providers.contacts/databases/contacts2.db")
    assert out_of("sqlite3", contacts, "SELECT count(*) FROM raw_contacts").strip() == str(
        sheet["contacts"])
    number = sheet["number"]
    calls = str(data / "com.android.providers.contacts/databases/calllog.db")
    assert out_of("sqlite3", calls, f"SELECT sum(duration) FROM calls WHERE number = "
                  f"'{number}'").strip() == str(sheet["calls"])
    chat = data / "com.whatsapp/databases/msgstore.db"
    jid = number.lstrip("+") + "@s.whatsapp.net"
    ids = out_of("sqlite3", str(chat), f"SELECT _id FROM messages WHERE key_remote_jid = "
                 f"'{jid}' ORDER BY _id").split()
    assert len(ids) == int(sheet["chat-kept"])
    assert str(sheet["gap"]) not in ids and int(ids[-1]) > int(sheet["gap"])
    shown = out_of("sqlite3", str(chat), "SELECT data FROM messages")
    assert sheet["deleted-text"] not in shown
    assert sheet["deleted-text"].encode() in chat.read_bytes()  # what strings finds
    assert sheet["meeting-place"] in sheet["deleted-text"]
