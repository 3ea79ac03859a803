"""Windows shortcuts, prefetch files and Bitcoin Core wallets: dflab's facts against the
reference figures recorded for each real sample (tests/data/files/artifacts_reference.json:
exiftool, libyal/plaso and db_dump output, see SOURCES.md), and damaged copies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from evidence.files.conftest import DATA, Facts, sample
from evidence.files.test_bad_input import cli
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
