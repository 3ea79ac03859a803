"""The evidence-kind registry: one name each, every module registered, kinds by content."""

from __future__ import annotations

from pathlib import Path

import pytest

import runner.evidence.kinds as builtins
from evidence.conftest import WriteCapture
from evidence.kinds.conftest import MakeFat
from runner.errors import EvidenceError, InputError
from runner.evidence import craft
from runner.evidence.kinds.base import EvidenceKind, Head
from runner.evidence.kinds.dispatch import analyze_evidence, kind_of
from runner.evidence.kinds.registry import (
    DuplicateKindError,
    all_kinds,
    detect,
    register,
    unregister,
)

HELPERS = {"__init__", "base", "registry", "dispatch", "unpack"}


def test_every_module_in_the_folder_is_imported_and_registered() -> None:
    folder = Path(builtins.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - HELPERS
    assert modules == set(builtins.BUILTIN_MODULES)
    registered = {type(k).__module__.rsplit(".", 1)[-1] for k in all_kinds().values()}
    assert registered == modules


def test_duplicate_kind_is_refused() -> None:
    class Fake(EvidenceKind):
        name = "disk"

    with pytest.raises(DuplicateKindError, match="already registered"):
        register(Fake)


def test_a_new_kind_probes_before_looser_ones_and_unregisters() -> None:
    class Magic(EvidenceKind):
        name = "magic-test"
        priority = 5

        def probe(self, head: Head) -> bool:
            return head.at(0, b"MAGIC")

    register(Magic)
    try:
        assert next(iter(all_kinds())) == "magic-test"
    finally:
        unregister("magic-test")
    assert "magic-test" not in all_kinds()


def test_kind_is_found_by_content_not_by_name(
        tmp_path: Path, write_capture: WriteCapture, make_fat: MakeFat) -> None:
    pcap = write_capture([craft.tcp_session([(True, b"x")])[0]])
    disguised_pcap = tmp_path / "holiday.raw"
    disguised_pcap.write_bytes(pcap.read_bytes())
    image = make_fat({"a.txt": b"hello"})
    disguised_image = tmp_path / "trace.pcapng"
    disguised_image.write_bytes(image.read_bytes())
    assert detect(disguised_pcap).name == "capture"
    assert detect(disguised_image).name == "disk"
    facts = analyze_evidence(disguised_image)
    assert facts.kind == "disk"
    assert [r["path"] for r in facts.tables["disk.files"] if r["path"] == "a.txt"] == ["a.txt"]


def test_compressed_evidence_is_unpacked_by_content(tmp_path: Path, make_fat: MakeFat) -> None:
    import gzip

    image = make_fat({"a.txt": b"hello"})
    packed = tmp_path / "image.bin"
    packed.write_bytes(gzip.compress(image.read_bytes()))
    assert kind_of(packed).name == "disk"
    assert analyze_evidence(packed).tables["disk.volumes"][0]["fs_type"] == "fat16"


def test_unknown_content_is_one_error_naming_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "notes.dd"
    junk.write_bytes(b"just some text, not evidence\n" * 100)
    with pytest.raises(EvidenceError, match="nor any other evidence kind") as info:
        analyze_evidence(junk)
    assert info.value.where == str(junk)
    empty = tmp_path / "empty.E01"
    empty.write_bytes(b"")
    with pytest.raises(EvidenceError, match="empty"):
        detect(empty)


def test_an_analyzer_of_another_kind_is_refused_by_name(
        write_capture: WriteCapture, make_fat: MakeFat) -> None:
    image = make_fat({"a.txt": b"hello"})
    with pytest.raises(InputError, match=r"reads .* evidence, not disk"):
        analyze_evidence(image, ["dns"])
    pcap = write_capture([craft.tcp_session([(True, b"x")])[0]])
    with pytest.raises(InputError, match="not capture"):
        analyze_evidence(pcap, ["disk"])
