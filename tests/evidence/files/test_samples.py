"""Every real sample is recognised by content (renamed, it is still found) and its
facts match what the sources recorded (SOURCES.md in tests/data/files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence.files.conftest import Facts, sample
from runner.evidence.kinds.dispatch import kind_of

KINDS = {
    "mailparser_test_7.eml": "mailbox", "mboxparser_testbox.mbox": "mailbox",
    "mailparser_outlook_1.msg": "mailbox", "goexif_gps.jpg": "picture",
    "rwgoexif_sample1.jpg": "picture", "plaso_Document.docx": "document",
    "pdfminer_f1040nr.pdf": "document", "plaso_android_mmssms.db": "sqlite",
    "plaso_android_contacts2.db": "sqlite", "plaso_chrome_History": "sqlite",
    "plaso_firefox_places.sqlite": "sqlite", "plaso_imessage_chat.db": "sqlite",
    "plaso_System2.evtx": "evtx", "evtxattack_LM_sysmon_psexec_smb_meterpreter.evtx": "evtx",
    "plaso_SAM": "hive", "plaso_NeroInfoTool.lnk": "lnk",
    "plaso_NOTEPAD.EXE-D8414F97.pf": "prefetch", "btcrecover_bitcoincore-wallet.dat": "wallet",
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_kind_by_content_not_name(name: str, tmp_path: Path) -> None:
    renamed = tmp_path / "evidence.bin"
    shutil.copyfile(sample(name), renamed)
    assert kind_of(renamed).name == KINDS[name]


def test_eml_message_received_chain_and_attachments(facts: Facts) -> None:
    f = facts(sample("mailparser_test_7.eml"))
    assert f.warnings == []
    msg = f.tables["mail.messages"][0]
    assert msg["from_address"] == "geronazzo@voidstudicom.it"
    assert msg["subject"] == "I: Ordine"
    assert msg["message_id"] == "<ed264cf8.1d2e138.18e5b8f.29@voidstudicom.it>"
    assert msg["time"] == "2017-06-09T15:56:00.000000000Z"  # Date: 17:56:00 +0200
    assert msg["hops"] == 4 == len(f.tables["mail.received"])
    hops = [h["hop"] for h in f.tables["mail.received"]]
    assert hops == [1, 2, 3, 4]
    atts = {a["name"]: a for a in f.tables["mail.attachments"]}
    # SHA-256 of the decoded parts as recorded in the sample's facts (SOURCES.md)
    assert atts["image001.jpg"]["sha256"] == \
        "8ff1257e22526025e1bb47f8b25416c39fa005cb839f02ca749ce00f0fc5ae13"
    assert atts["image001.jpg"]["size"] == 2478
    assert atts["att24916.htm"]["sha256"] == \
        "1437e88314e121093dba350d8f1e95d4c0baacfe055a82fd85f912a97386ce13"


def test_mbox_nine_messages_with_offsets(facts: Facts) -> None:
    f = facts(sample("mboxparser_testbox.mbox"))
    msgs = f.tables["mail.messages"]
    assert len(msgs) == 9
    raw = sample("mboxparser_testbox.mbox").read_bytes()
    assert all(raw[m["offset"]:m["offset"] + 5] == b"From " for m in msgs)
    assert msgs[0]["subject"] == "List entry indexing"
    assert [a["name"] for a in f.tables["mail.attachments"]] == ["Plans"]
    assert f.tables["mail.attachments"][0]["message"] == 8


def test_outlook_msg_with_extract_msg(facts: Facts) -> None:
    f = facts(sample("mailparser_outlook_1.msg"))
    msg = f.tables["mail.messages"][0]
    assert msg["from_address"] == "nueblingv@w-vwa.de"
    assert msg["message_id"] == "<20170918100018.6AE0948009C@www.w-vwa.de>"
    atts = {a["name"]: a["sha256"] for a in f.tables["mail.attachments"]}
    assert atts["newsletter.png"] == \
        "33f176ab0ff15e3c823fdbbec4cb7afbfb22b9335a5b3e3c8eb98ce08ba8b8f6"
    assert len(atts) == 5


def test_evtx_security_log(facts: Facts) -> None:
    f = facts(sample("plaso_System2.evtx"))
    events = f.tables["evtx.events"]
    assert len(events) == 194  # record_count in the sample's facts (python-evtx)
    ids = [e["event_id"] for e in events]
    assert ids.count(4624) == 47 and ids.count(4720) == 1 and ids.count(1100) == 4
    assert min(e["time"] for e in events) == "2015-08-08T02:06:17.078125000Z"
    logons = [r for r in f.tables["evtx.logons"] if r["event_id"] == 4624]
    assert len(logons) == 47
    assert all(r["outcome"] == "success" and r["logon_type"] >= 0 for r in logons)
    assert {r["account"] for r in logons} >= {"SYSTEM"}


def test_evtx_sysmon_fields(facts: Facts) -> None:
    f = facts(sample("evtxattack_LM_sysmon_psexec_smb_meterpreter.evtx"))
    assert [e["record"] for e in f.tables["evtx.events"]] == list(range(9804, 9814))
    pipe = [r for r in f.tables["evtx.fields"] if r["name"] == "PipeName"]
    assert pipe[0]["value"] == "\\ntsvcs"


def test_sam_hive_keys_and_values(facts: Facts) -> None:
    f = facts(sample("plaso_SAM"))
    info = f.tables["hive.info"][0]
    assert (info["keys"], info["values"], info["hive_type"]) == (76, 84, "sam")
    assert info["last_written"] == "2013-08-22T14:45:10.980914000Z"
    names = next(k for k in f.tables["hive.keys"]
                 if k["path"] == "\\SAM\\Domains\\Account\\Users\\Names")
    assert names["last_written"] == "2015-11-23T02:59:18.338742000Z"
    assert names["subkeys"] == 3  # Administrator, gold_administrator, Guest


def test_yaml_with_from_and_to_keys_is_not_mail(tmp_path: Path) -> None:
    from runner.errors import EvidenceError

    path = tmp_path / "notes.yaml"
    path.write_bytes(b"from: alice\nto: bob\nsubject: plan\ndate: 2024-01-01\n")
    with pytest.raises(EvidenceError, match="recognises by content"):
        kind_of(path)
