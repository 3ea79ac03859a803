"""Mutated real disk images (FAT16, exFAT, NTFS in an E01, ext2 in an E01): every one is
analysed with warnings, or refused with one clear error naming the file; never a crash
or a hang. ``make fuzz`` runs many more examples (see conftest)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz.conftest import count
from runner.errors import DflabError
from runner.evidence.kinds.dispatch import analyze_evidence

DATA = Path(__file__).resolve().parents[1] / "data" / "disk"
# (offset, new byte) pairs: offsets fall in the first 256 KiB, where boot sectors,
# FATs, MFT records, superblocks, directories and the E01 sections live.
# Each example writes an image of up to 33 MB: a quarter of the profile's examples
# (20 in CI, 750 under `make fuzz`).
SCALED = settings(settings.default, max_examples=max(10, settings.default.max_examples // 4))
FLIPS = st.lists(st.tuples(st.integers(0, 256 * 1024 - 1), st.integers(0, 255)), max_size=40)


def _source(name: str, folder: Path) -> Path:
    if not name.endswith(".gz"):
        return DATA / name
    out = folder / name.removesuffix(".gz")
    if not out.exists():
        with gzip.open(DATA / name, "rb") as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return out


def _survives(name: str, folder: Path, flips: list[tuple[int, int]], keep: int | None) -> None:
    data = bytearray(_source(name, folder).read_bytes())
    for offset, value in flips:
        data[offset % len(data)] = value
    mutated = folder / f"mutated{Path(name.removesuffix('.gz')).suffix}"
    mutated.write_bytes(bytes(data[:keep] if keep is not None else data))
    try:
        facts = analyze_evidence(mutated)
    except DflabError as exc:
        assert mutated.name in exc.one_line()
        count("clean")
        return
    assert all(isinstance(w, str) and w for w in facts.warnings)
    count("accepted")


def _keep(size: int) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(0, size))


@SCALED
@given(flips=FLIPS, keep=_keep(16 * 1024 * 1024))
def test_mutated_fat16_is_analysed_or_refused_cleanly(tmp_path_factory, flips, keep):
    _survives("dfirntfs_fat_deleted_dir_2.raw.gz", tmp_path_factory.getbasetemp(), flips, keep)


@SCALED
@given(flips=FLIPS, keep=_keep(6 * 1024 * 1024))
def test_mutated_exfat_is_analysed_or_refused_cleanly(tmp_path_factory, flips, keep):
    _survives("dfirntfs_exfat_win.raw.gz", tmp_path_factory.getbasetemp(), flips, keep)


@SCALED
@given(flips=FLIPS, keep=_keep(33 * 1024 * 1024))
def test_mutated_mbr_ntfs_is_analysed_or_refused_cleanly(tmp_path_factory, flips, keep):
    _survives("dfirntfs_ntfs_index.raw.gz", tmp_path_factory.getbasetemp(), flips, keep)


@SCALED
@given(flips=FLIPS, keep=_keep(160_000))
def test_mutated_e01_is_analysed_or_refused_cleanly(tmp_path_factory, flips, keep):
    _survives("velociraptor_partition_image.E01", tmp_path_factory.getbasetemp(), flips, keep)
    _survives("plaso_image.E01", tmp_path_factory.getbasetemp(), flips, keep)
