"""Evidence generators checked with the reference tools: The Sleuth Kit sees and recovers
the deleted files, exiftool reads the EXIF and document metadata, sqlite3 reads the
phone and browser rows, and the same seed gives the same bytes."""

from __future__ import annotations

import hashlib
import json
import mailbox
import shutil
import subprocess
import tarfile
import textwrap
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from runner.errors import InputError
from runner.generate.story import LoadedStory, load_story
from runner.generate.variant import Variant, generate_variant

STORY = """\
schema_version: 1
id: evidence-kinds
variables:
  owner: {pool: first-names}
  pin: {range: [1000, 9999]}
outputs:
  usb:
    kind: usb-image
    label: EVIDENCE
    filler: 6
    files: [{path: /Documents/Work/plan.txt, content: "meet at the dock"}]
    deleted:
      - {path: /Documents/Work/Transfer Details.txt, content: "IBAN UA{{pin}} for {{owner}}"}
      - {path: /DCIM/secret photo.txt, content: "second deleted file"}
    hidden: {path: /Music/track07.mp3, type: jpeg, content: "PIN {{pin}}"}
  disk:
    kind: disk-image
    table: gpt
    user: anna
    files: [{path: /home/anna/Documents/notes.txt, content: "buy milk"}]
    deleted: [{path: /home/anna/Documents/wallet.txt, content: "seed phrase {{pin}}"}]
  mbrdisk:
    kind: disk-image
    files: [{path: /srv/www/index.html, content: "hi", time: "2024-03-20T10:11:12Z"}]
    deleted: [{path: /srv/old.log, content: "gone"}]
  pic:
    kind: photo
    taken: "2024-03-15T18:02:10Z"
  doc:
    kind: document
    author: "{{owner}}"
    last_modified_by: "Petro Ivanenko"
    body: "Draft"
  mail:
    kind: mailbox
    phish: {relay: relay.spam.example, relay_ip: 198.51.100.9, origin_ip: 203.0.113.5}
  mail2:
    kind: mailbox
    ordinary: 2
    phish: {reply_to: "helper.{{owner}}@freemail.example", link_text: "https://www.bank.example/",
            link: "https://bank-login.example/s/{{pin}}", spf: fail, dkim: fail}
  phone:
    kind: phone-extraction
    suspect: {name: Taras Bulba, number: "+380671234567"}
    chat:
      - {text: "got the package?"}
      - {me: true, text: "yes, at the garage"}
      - {text: "bring it to the dock at 22:00", deleted: true}
      - {me: true, text: "ok"}
    sms: [{text: "call me"}]
  phone2:
    kind: phone-extraction
    suspect: {name: Ivan Caller, number: "+380931112233"}
    contacts: 12
    calls: 4
    frequent: 7
    other_calls: 9
    other_sms: 6
  web:
    kind: browser-history
    download:
      url: https://files.example/dl/Invoice_4471.zip
      target_path: C:\\Users\\anna\\Downloads\\Invoice_4471.zip
      referrer: https://files.example/invoice
"""


def tool(name: str) -> str:
    """The reference tool's path; the test fails (not skips) without it."""
    path = shutil.which(name)
    assert path, f"reference tool '{name}' is missing: see tools/system-packages.txt"
    return path


def run(*argv: str) -> str:
    return subprocess.run([tool(argv[0]), *argv[1:]], capture_output=True, check=True,
                          text=True, errors="replace").stdout


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> LoadedStory:
    path = tmp_path_factory.mktemp("story") / "story.yaml"
    path.write_text(textwrap.dedent(STORY), encoding="utf-8")
    return load_story(path)


@pytest.fixture(scope="module")
def variant(story: LoadedStory, tmp_path_factory: pytest.TempPathFactory) -> Variant:
    return generate_variant(story, 11, tmp_path_factory.mktemp("v11"))


def test_same_seed_same_bytes_other_seed_other_bytes(story: LoadedStory, variant: Variant,
                                                     tmp_path: Path) -> None:
    again = generate_variant(story, 11, tmp_path / "again")
    assert again.sha256 == variant.sha256
    assert again.values == variant.values
    other = generate_variant(story, 12, tmp_path / "other")
    assert all(other.sha256[name] != variant.sha256[name] for name in variant.sha256)


def _inode_of(listing: str, path: str) -> str:
    for line in listing.splitlines():
        kind, _, rest = line.partition(":\t")
        if rest == path.lstrip("/"):
            return kind.split()[-1]
    raise AssertionError(f"{path} not in the listing:\n{listing}")


def test_usb_deleted_files_are_seen_and_recovered_by_the_sleuth_kit(variant: Variant) -> None:
    image, usb = str(variant.files["usb"]), variant.values["usb"]
    deleted = run("fls", "-r", "-p", "-d", image)
    assert len(usb["deleted"]) == 2
    for item in usb["deleted"]:
        inode = _inode_of(deleted.replace("r/r * ", "r/r "), item["path"])
        data = subprocess.run([tool("icat"), image, inode], capture_output=True,
                              check=True).stdout
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
    listing = run("fls", "-r", "-p", image)
    hidden = usb["hidden"]
    data = subprocess.run([tool("icat"), image, _inode_of(listing, hidden["path"])],
                          capture_output=True, check=True).stdout
    assert data[:3] == b"\xff\xd8\xff" and hashlib.sha256(data).hexdigest() == hidden["sha256"]
    assert "Documents/Work/plan.txt" in listing
    assert all("r/r * " in line for line in listing.splitlines() if "Transfer Details" in line)
    fsstat = run("fsstat", image)
    assert f"Volume ID: 0x{usb['serial'].replace('-', '').lower()}" in fsstat
    assert "EVIDENCE" in fsstat


def test_usb_times_read_by_istat_are_the_story_times(variant: Variant) -> None:
    image, usb = str(variant.files["usb"]), variant.values["usb"]
    item = usb["files"][-2] if usb["hidden"] else usb["files"][-1]
    inode = _inode_of(run("fls", "-r", "-p", image), item["path"])
    written = item["modified"].replace("T", " ").replace("Z", "")
    assert f"Written:\t{written} (UTC)" in run("istat", image, inode)


@pytest.mark.parametrize("output", ["disk", "mbrdisk"])
def test_disk_image_partition_and_deleted_file(variant: Variant, output: str) -> None:
    image, disk = str(variant.files[output]), variant.values[output]
    start = str(disk["partition"]["start"])
    mmls = run("mmls", image)
    assert ("GUID Partition Table" if disk["table"] == "gpt" else "DOS Partition Table") in mmls
    assert any(line.split()[2:4] == [start.zfill(10), str(
        disk["partition"]["start"] + disk["partition"]["size"] - 1).zfill(10)]
        for line in mmls.splitlines() if line[:4].strip().rstrip(":").isdigit())
    deleted = run("fls", "-o", start, "-r", "-p", "-d", image)
    for item in disk["deleted"]:
        assert f"r/r * {item['inode']}:\t{item['path'].lstrip('/')}" in deleted
        data = subprocess.run([tool("icat"), "-o", start, image, str(item["inode"])],
                              capture_output=True, check=True).stdout
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
    fsstat = run("fsstat", "-o", start, image)
    # fsstat prints an ext4 UUID's 16 bytes in reverse order (a Sleuth Kit quirk).
    reversed_uuid = bytes.fromhex(disk["filesystem"]["uuid"].replace("-", ""))[::-1].hex()
    assert f"Volume ID: {reversed_uuid}" in fsstat
    assert f"Volume Name: {disk['filesystem']['label']}" in fsstat


def test_a_disk_file_written_at_a_pinned_time_shows_it_in_istat(variant: Variant) -> None:
    image, disk = str(variant.files["mbrdisk"]), variant.values["mbrdisk"]
    start = str(disk["partition"]["start"])
    item = next(f for f in disk["files"] if f["path"] == "/srv/www/index.html")
    assert item["modified"] == "2024-03-20T10:11:12Z"
    istat = run("istat", "-o", start, image, str(item["inode"]))
    assert "Modified:\t2024-03-20 10:11:12" in istat, istat


def _exif(path: Path, *tags: str) -> dict[str, Any]:
    out = run("exiftool", "-j", "-n", *[f"-{t}" for t in tags], str(path))
    return dict(json.loads(out)[0])


def test_photo_exif_read_by_exiftool(variant: Variant) -> None:
    pic = variant.values["pic"]
    tags = _exif(variant.files["pic"], "Make", "Model", "DateTimeOriginal", "GPSLatitude",
                 "GPSLongitude")
    assert (tags["Make"], tags["Model"]) == (pic["make"], pic["model"])
    assert tags["DateTimeOriginal"] == "2024:03:15 18:02:10"
    assert abs(tags["GPSLatitude"] - pic["lat"]) < 1e-5
    assert abs(tags["GPSLongitude"] - pic["lon"]) < 1e-5


def test_document_metadata_read_by_exiftool(variant: Variant) -> None:
    doc = variant.values["doc"]
    tags = _exif(variant.files["doc"], "Creator", "LastModifiedBy", "RevisionNumber",
                 "ModifyDate", "Application")
    assert tags["Creator"] == doc["author"] == variant.values["owner"]
    assert tags["LastModifiedBy"] == "Petro Ivanenko"
    assert tags["RevisionNumber"] == doc["revision"]
    assert tags["Application"] == doc["application"]
    assert str(tags["ModifyDate"]).startswith(doc["modified"][:10].replace("-", ":"))


def test_mailbox_phish_read_by_the_email_package(variant: Variant) -> None:
    mail = variant.values["mail"]
    box = mailbox.mbox(str(variant.files["mail"]))
    messages = list(box)
    box.close()
    assert len(messages) == mail["messages"]
    phish = messages[mail["position"] - 1]
    parsed = mailbox.mboxMessage(phish)
    assert mail["phish"]["from"] in parsed["From"] and "PayPal" in parsed["From"]
    received = parsed.get_all("Received")
    assert "[198.51.100.9]" in received[1] and "relay.spam.example" in received[1]
    assert "[203.0.113.5]" in received[2]
    from email import message_from_bytes

    full = message_from_bytes(phish.as_bytes(), policy=policy.default)
    assert isinstance(full, EmailMessage)
    attachments = list(full.iter_attachments())
    payloads = [a.get_payload(decode=True) for a in attachments]
    assert [a.get_filename() for a in attachments] == [mail["phish"]["attachment"]["name"]]
    assert hashlib.sha256(payloads[0]).hexdigest() == mail["phish"]["attachment"]["sha256"]
    body = full.get_body(("plain",))
    assert body is not None and mail["phish"]["link"] in body.get_content()


def test_mailbox_reply_to_link_text_and_verdicts_read_by_the_email_package(
        variant: Variant, cli: Any) -> None:
    """The beginner's headers: a Reply-To elsewhere, a link whose text shows another URL,
    and the MX's SPF/DKIM verdicts, as the email package and dflab's mail facts read them."""
    mail = variant.values["mail2"]["phish"]
    box = mailbox.mbox(str(variant.files["mail2"]))
    raw = [m.as_bytes() for m in box]
    box.close()
    from email import message_from_bytes

    full = message_from_bytes(raw[variant.values["mail2"]["position"] - 1], policy=policy.default)
    assert isinstance(full, EmailMessage)
    assert full["Reply-To"].addresses[0].addr_spec == mail["reply_to"] != mail["from"]
    assert f"spf={mail['spf']} " in full["Authentication-Results"] and "dkim=fail;" in full[
        "Authentication-Results"]
    html = full.get_body(("html",))
    assert html is not None
    assert f'<a href="{mail["link"]}">https://www.bank.example/</a>' in html.get_content()
    (part,) = full.iter_attachments()
    assert part.get_content_type() == mail["attachment"]["content_type"] == "application/zip"
    tables = _facts(cli, variant.files["mail2"])
    (row,) = [m for m in tables["mail.messages"] if m["attachments"]]
    assert (row["reply_to"], row["spf"], row["dkim"]) == (mail["reply_to"], "fail", "fail")
    (link,) = [r for r in tables["mail.links"] if r["part"] == "text/html"]
    assert (link["host"], link["text_host"]) == (mail["link_domain"], "www.bank.example")


@pytest.mark.parametrize("arrived", ["2024-03-11T07:30:05Z", "2024-03-12T10:41:27Z",
                                     "2024-03-15T07:29:59Z"])
def test_a_pinned_phish_arrives_then_among_the_ordinary_mail(tmp_path: Path,
                                                               arrived: str) -> None:
    path = tmp_path / "story.yaml"
    path.write_text(textwrap.dedent(f"""\
        schema_version: 1
        id: pinned-phish
        outputs:
          mail: {{kind: mailbox, time: "2024-03-11T07:30:00Z", hours: 96, ordinary: 8,
                 phish: {{time: "{arrived}"}}}}
        """), encoding="utf-8")
    variant = generate_variant(load_story(path), 3, tmp_path / "out")
    mail = variant.values["mail"]
    box = mailbox.mbox(str(variant.files["mail"]))
    dates = [parsedate_to_datetime(m["Date"]) for m in box]
    box.close()
    assert len(dates) == mail["messages"] == 9 and dates == sorted(dates)
    assert mail["phish"]["date"] == arrived
    assert dates[mail["position"] - 1] == datetime.fromisoformat(arrived.replace("Z", "+00:00"))


def _extract(tar: Path, dest: Path) -> Path:
    with tarfile.open(tar) as archive:
        archive.extractall(dest, filter="data")
    return dest / "data" / "data"


def test_phone_databases_read_by_sqlite3(variant: Variant, tmp_path: Path) -> None:
    phone, root = variant.values["phone"], _extract(variant.files["phone"], tmp_path)
    contacts = root / "com.android.providers.contacts/databases/contacts2.db"
    rows = run("sqlite3", str(contacts), "SELECT r._id, d.data1 FROM raw_contacts r JOIN data d"
               " ON d.raw_contact_id = r._id JOIN mimetypes m ON m._id = d.mimetype_id WHERE "
               "m.mimetype LIKE '%phone_v2' AND r.display_name = 'Taras Bulba'")
    assert rows.strip() == f"{phone['suspect']['contact_id']}|+380671234567"
    assert run("sqlite3", str(contacts), "SELECT count(*) FROM raw_contacts").strip() == str(
        phone["contacts"])
    chat = root / "com.whatsapp/databases/msgstore.db"
    kept = run("sqlite3", str(chat), "SELECT data FROM messages ORDER BY timestamp")
    assert len(kept.splitlines()) == phone["chat"]["kept"] == 3
    for text in phone["chat"]["deleted"]:
        assert text not in kept and text.encode() in chat.read_bytes()
    calls = root / "com.android.providers.contacts/databases/calllog.db"
    assert run("sqlite3", str(calls), "SELECT count(*), sum(duration) FROM calls").strip() == (
        f"{phone['calls']['count']}|{phone['calls']['total_seconds']}")


def test_phone_other_calls_and_sms_read_by_sqlite3(variant: Variant, tmp_path: Path) -> None:
    """The most-called contact, the others' calls (at most two each) and SMS, missed calls
    without a duration: what sqlite3 reads is what the story values say."""
    phone, root = variant.values["phone2"], _extract(variant.files["phone2"], tmp_path)
    calls = str(root / "com.android.providers.contacts/databases/calllog.db")
    ranked = [r.split("|") for r in run("sqlite3", calls, "SELECT number, name, count(*) AS n "
                                        "FROM calls GROUP BY number ORDER BY n DESC").splitlines()]
    top = phone["calls"]["top"]
    assert ranked[0] == [top["number"], top["name"], "7"] and top["count"] == 7
    assert ["+380931112233", "Ivan Caller", "4"] in ranked
    assert all(int(r[-1]) <= 2 for r in ranked[1:] if r[0] != "+380931112233")
    assert run("sqlite3", calls, "SELECT count(*) FROM calls").strip() == str(
        phone["calls"]["all"]) == str(4 + 7 + 9)
    assert run("sqlite3", calls, "SELECT count(*) FROM calls WHERE type = 3 AND duration > 0"
               ).strip() == "0"
    assert run("sqlite3", calls, "SELECT datetime(max(date) / 1000, 'unixepoch') FROM calls "
               "WHERE number = '+380931112233'").strip().replace(" ", "T") + "Z" == phone[
                   "calls"]["last"]
    sms = str(root / "com.android.providers.telephony/databases/mmssms.db")
    assert run("sqlite3", sms, "SELECT count(*) FROM sms").strip() == "6"


def test_a_most_called_contact_must_outnumber_the_suspect(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("schema_version: 1\nid: p\noutputs:\n  phone: {kind: phone-extraction, "
                    "suspect: {name: A, number: '+380931112233'}, calls: 5, frequent: 5}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"frequent \(5\) must be more than calls \(5\)"):
        generate_variant(load_story(path), 1, tmp_path / "out")


def test_browser_download_read_by_sqlite3(variant: Variant) -> None:
    web = variant.values["web"]["download"]
    row = run("sqlite3", str(variant.files["web"]),
              "SELECT d.target_path, c.url, datetime(d.start_time / 1000000 - 11644473600, "
              "'unixepoch') FROM downloads d JOIN downloads_url_chains c ON c.id = d.id")
    target, url, started = row.strip().split("|")
    assert (target, url) == (web["target_path"], web["url"])
    assert started.replace(" ", "T") + "Z" == web["start_time"]


def test_a_missing_tool_names_the_package(story: LoadedStory, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match=r"mkfs\.vfat") as caught:
        generate_variant(story, 1, tmp_path / "out", outputs=["usb"])
    assert caught.value.fix == "apt-get install dosfstools"


def test_an_unknown_place_lists_the_places(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("schema_version: 1\nid: p\noutputs:\n  pic: {kind: photo, place: atlantis}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="unknown place 'atlantis'"):
        generate_variant(load_story(path), 1, tmp_path / "out")


@pytest.mark.parametrize("output", ["usb", "disk", "mbrdisk"])
def test_dflab_disk_facts_find_the_story_values(variant: Variant, output: str, cli: Any) -> None:
    """dflab's own disk analyzer (h/kinds) reads what the generator says it wrote."""
    result = cli("facts", str(variant.files[output]), "--only", "disk", "--json")
    assert result.code == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    story = variant.values[output]
    files = {row["path"]: row for row in tables["disk.files"]}
    for item in story["deleted"]:
        row = files[item["path"].lstrip("/")]
        assert row["deleted"] and row["sha256"] == item["sha256"]
        assert row["mtime"].startswith(item["modified"].rstrip("Z"))
    for item in story["files"]:
        row = files[item["path"].lstrip("/")]
        assert not row["deleted"] and row["sha256"] == item["sha256"]
    (volume,) = tables["disk.volumes"]
    if output == "usb":
        assert volume["fs_type"] == "fat32" and volume["label"] == "EVIDENCE"
        assert volume["serial"] == story["serial"].replace("-", "").lower()
    else:
        assert volume["fs_type"] == "ext4" and volume["offset"] == story["partition"]["offset"]
        assert volume["label"] == story["filesystem"]["label"]


def _facts(cli: Any, path: Path) -> dict[str, list[dict[str, Any]]]:
    result = cli("facts", str(path), "--json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["warnings"] == []
    return dict(report["tables"])


def test_dflab_file_facts_find_the_story_values(variant: Variant, cli: Any,
                                                tmp_path: Path) -> None:
    """dflab's own mail, picture, document and SQLite analyzers read what was generated."""
    mail = variant.values["mail"]["phish"]
    tables = _facts(cli, variant.files["mail"])
    (phish,) = [m for m in tables["mail.messages"] if m["attachments"]]
    assert (phish["from_address"], phish["origin_ip"]) == (mail["from"], mail["origin_ip"])
    assert {r["from_host"] for r in tables["mail.received"]} >= {mail["relay"]}
    assert [a["sha256"] for a in tables["mail.attachments"]] == [mail["attachment"]["sha256"]]
    assert {link["host"] for link in tables["mail.links"]} == {mail["link_domain"]}
    pic = variant.values["pic"]
    (row,) = _facts(cli, variant.files["pic"])["exif.pictures"]
    assert (row["make"], row["model"], row["latitude"], row["longitude"]) == (
        pic["make"], pic["model"], pic["lat"], pic["lon"])
    doc = variant.values["doc"]
    (meta,) = _facts(cli, variant.files["doc"])["document.metadata"]
    assert (meta["author"], meta["last_modified_by"], meta["revision"]) == (
        doc["author"], doc["last_modified_by"], str(doc["revision"]))
    web = variant.values["web"]["download"]
    (download,) = _facts(cli, variant.files["web"])["chrome.downloads"]
    assert (download["path"], download["url"]) == (web["target_path"], web["url"])
    assert download["start_time"].startswith(web["start_time"].rstrip("Z"))
    phone, root = variant.values["phone"], _extract(variant.files["phone"], tmp_path)
    contacts = _facts(cli, root / "com.android.providers.contacts/databases/contacts2.db")
    rows = contacts["android_contacts.contacts"]
    assert len(rows) == phone["contacts"]
    assert [r["phones"] for r in rows if r["name"] == "Taras Bulba"] == ["+380671234567"]
    calls = _facts(cli, root / "com.android.providers.contacts/databases/calllog.db")
    assert sum(c["duration"] for c in calls["android_calls.calls"]) == (
        phone["calls"]["total_seconds"])
