"""Windows shortcuts, prefetch files and Bitcoin Core wallets: dflab's facts against the
reference figures recorded for each real sample (tests/data/files/artifacts_reference.json:
exiftool, libyal/plaso and db_dump output, see SOURCES.md), and damaged copies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from evidence.files.conftest import DATA, Facts, run_tool, sample
from evidence.files.test_bad_input import cli
from runner.evidence.artifacts.bdb import BTree
from runner.evidence.kinds.dispatch import kind_of

LNK = "plaso_NeroInfoTool.lnk"


def reference(name: str) -> dict[str, Any]:
    ref: dict[str, Any] = json.loads((DATA / "artifacts_reference.json").read_text())[name]
    return ref


def test_lnk_facts_match_exiftool_and_liblnk(facts: Facts, tmp_path: Path) -> None:
    renamed = tmp_path / "evidence.bin"
    shutil.copyfile(sample(LNK), renamed)
    assert kind_of(renamed).name == "lnk"
    f = facts(sample(LNK))
    assert f.warnings == []
    [row] = f.tables["lnk.shortcuts"]
    ref, exif = reference(LNK)["lnk"], reference(LNK)["exiftool"]
    assert row["target_path"] == ref["local_path"] == exif["LNK:LocalBasePath"]
    assert row["network_path"] == (ref["network_path"] or "")
    assert row["relative_path"] == ref["relative_path"]
    assert row["working_directory"] == ref["working_directory"]
    assert row["arguments"] == ref["command_line_arguments"]
    assert row["description"] == ref["description"]
    assert row["icon_location"] == ref["icon_location"]
    assert row["volume_label"] == ref["volume_label"]
    assert row["volume_serial"] == ref["drive_serial_number"]
    assert exif["LNK:DriveSerialNumber"].replace("-", "") == row["volume_serial"]
    assert (row["drive_type"], ref["drive_type"]) == ("fixed", 3)  # DRIVE_FIXED
    assert row["machine_id"] == ref["machine_identifier"]
    assert row["target_size"] == ref["target_size"] == exif["LNK:TargetFileSize"]
    assert row["target_created"].startswith(ref["target_creation_time"] + ".000000")
    assert row["target_modified"].startswith(ref["target_modification_time"] + ".000000")
    # 100 ns ticks: liblnk truncates to microseconds, LnkParse3 rounds; agree to the ms
    assert row["target_accessed"][:23] == ref["target_access_time"][:23]


def test_truncated_lnk_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.lnk"
    path.write_bytes(sample(LNK).read_bytes()[:90])
    code, out, err = cli(path, tmp_path / "home")
    assert "Traceback" not in err + out
    assert code == 3 and "cut.lnk" in err and len(err.strip().splitlines()) == 1


def test_damaged_shell_item_in_lnk_is_a_warning(tmp_path: Path, facts: Facts) -> None:
    data = bytearray(sample(LNK).read_bytes())
    data[0x200:0x220] = b"\xff" * 32  # inside the target's shell item list
    path = tmp_path / "mut.lnk"
    path.write_bytes(bytes(data))
    f = facts(path)
    assert f.warnings and all("mut.lnk" in w for w in f.warnings)
    assert f.tables["lnk.shortcuts"][0]["volume_label"] == "OS"  # LinkInfo still read


PF = "plaso_NOTEPAD.EXE-D8414F97.pf"


def test_windows10_prefetch_matches_the_reference(facts: Facts, tmp_path: Path) -> None:
    renamed = tmp_path / "evidence.bin"
    shutil.copyfile(sample(PF), renamed)
    assert kind_of(renamed).name == "prefetch"  # MAM-compressed, found by content
    f = facts(sample(PF))
    ref = reference(PF)["prefetch"]
    assert f.warnings == []
    [info] = f.tables["prefetch.info"]
    assert info["executable"] == ref["executable_filename"]
    assert info["prefetch_hash"] == ref["prefetch_hash"]
    assert info["format_version"] == ref["format_version"]
    assert info["run_count"] == ref["run_count"]
    assert info["files"] == ref["number_of_filenames"] == len(f.tables["prefetch.files"])
    runs = [r["time"] for r in f.tables["prefetch.runs"]]
    assert [t[:26] for t in runs] == ref["last_run_times_utc"]  # reference: microseconds
    assert info["last_run"] == runs[0]
    vols = [(v["device_path"], v["serial"], v["created"][:26])
            for v in f.tables["prefetch.volumes"]]
    assert vols == [(v["device_path"], v["serial_number"], v["creation_time"])
                    for v in ref["volumes"]]
    paths = [r["path"] for r in f.tables["prefetch.files"]]
    assert paths[:15] == ref["filenames_first_15"]
    assert [p for p in paths if p.endswith("\\NOTEPAD.EXE")] == \
        ref["filenames_matching_executable"]


def test_damaged_prefetch_is_one_clear_line(tmp_path: Path) -> None:
    data = sample(PF).read_bytes()
    for name, bad in (("cut.pf", data[:3000]), ("zeroed.pf", data[:8] + bytes(len(data) - 8))):
        path = tmp_path / name
        path.write_bytes(bad)
        code, out, err = cli(path, tmp_path / "home")
        assert "Traceback" not in err + out
        assert code == 3 and name in err and "prefetch" in err
        assert len(err.strip().splitlines()) == 1


WALLET = "btcrecover_bitcoincore-wallet.dat"


def db_dump_pairs(path: Path) -> list[tuple[bytes, bytes]]:
    """Key/value pairs of the 'main' database as Berkeley DB's own db_dump prints them."""
    text = run_tool("db_dump", "-s", "main", str(path))
    lines = [line[1:] for line in text.split("HEADER=END\n", 1)[1].splitlines()
             if line.startswith(" ")]
    return [(bytes.fromhex(k), bytes.fromhex(v)) for k, v in zip(lines[0::2], lines[1::2],
                                                                strict=True)]


def test_berkeley_db_reader_agrees_with_db_dump() -> None:
    path = sample(WALLET)
    dbs = BTree(path, pytest.fail).databases()
    assert list(dbs) == ["main"]
    expected = db_dump_pairs(path)
    assert len(expected) == 509
    assert dbs["main"] == expected


def test_wallet_facts_match_the_reference(facts: Facts, tmp_path: Path) -> None:
    renamed = tmp_path / "evidence.bin"
    shutil.copyfile(sample(WALLET), renamed)
    assert kind_of(renamed).name == "wallet"
    f = facts(sample(WALLET))
    ref = reference(WALLET)["wallet"]
    assert f.warnings == []
    [info] = f.tables["wallet.info"]
    assert info["records"] == ref["record_count"]
    assert {r["type"]: r["count"] for r in f.tables["wallet.records"]} == ref["record_types"]
    assert f.tables["wallet.address_book"] == ref["address_book"]
    assert (info["version"], info["min_version"]) == (ref["versions"]["version"],
                                                      ref["versions"]["minversion"])
    assert info["encrypted"] is True and info["key_pool"] == ref["record_types"]["pool"]
    assert info["keys"] == ref["record_types"]["ckey"]
    assert [(m["encrypted_key_length"], m["salt"], m["derivation_method"], m["iterations"])
            for m in f.tables["wallet.master_keys"]] == [
        (m["encrypted_key_len"], m["salt_hex"], m["derivation_method"], m["iterations"])
        for m in ref["master_keys"]]


def test_no_private_key_material_in_wallet_facts(facts: Facts) -> None:
    shown = json.dumps({n: list(t) for n, t in facts(sample(WALLET)).tables.items()},
                       default=str)
    for key, value in db_dump_pairs(sample(WALLET)):
        if key[1:5] in (b"ckey", b"mkey") or key[1:4] == b"key":
            assert value.hex()[:40] not in shown  # neither encrypted key nor public key


def test_truncated_wallet_keeps_what_it_can_with_warnings(tmp_path: Path,
                                                          facts: Facts) -> None:
    path = tmp_path / "cut.dat"
    path.write_bytes(sample(WALLET).read_bytes()[:60_000])
    f = facts(path)
    assert f.warnings and all("cut.dat" in w and "cut short" in w for w in f.warnings)
    full = facts(sample(WALLET)).tables["wallet.info"][0]["records"]
    assert 0 < f.tables["wallet.info"][0]["records"] < full


def test_wallet_with_mangled_meta_page_is_a_warning(tmp_path: Path, facts: Facts) -> None:
    data = bytearray(sample(WALLET).read_bytes())
    data[2 * 8192 + 88:2 * 8192 + 92] = b"\xff\xff\x00\x00"  # root of 'main' -> page 65535
    path = tmp_path / "mut.dat"
    path.write_bytes(bytes(data))
    code, out, err = cli(path, tmp_path / "home")
    assert code == 0 and "Traceback" not in err + out
    assert "mut.dat" in out and "page 65535" in out
