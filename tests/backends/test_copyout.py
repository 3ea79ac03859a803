"""One copy-out policy: a Docker lab, a local lab and an answers folder refuse alike."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.backends import fetchguard as fg
from runner.backends.copyout import copy_host_file
from runner.errors import RefusedError


def _host(tmp_path: Path, name: str) -> str:
    work = tmp_path / "work"
    with pytest.raises(RefusedError) as info:
        copy_host_file(work, str(work / name), tmp_path / "out", 4, f"/work/{name}", "/work")
    return info.value.message


def _docker(output: str) -> str:
    with pytest.raises(RefusedError) as info:
        fg.check_probe("/work/x", 0, output, 4)
    return info.value.message


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


def test_the_same_file_is_refused_in_the_same_words_by_every_route(work: Path,
                                                                    tmp_path: Path) -> None:
    os.symlink("/etc/passwd", work / "x")
    assert _host(tmp_path, "x") == _docker("1|symbolic link|11\n/etc/passwd\n")
    (work / "x").unlink()
    (work / "a").write_text("1")
    os.link(work / "a", work / "x")
    assert _host(tmp_path, "x") == _docker("2|regular file|1\n/work/x\n")
    (work / "x").unlink()
    (work / "x").write_text("12345")
    assert _host(tmp_path, "x") == _docker("1|regular file|5\n/work/x\n")
    (work / "x").unlink()
    assert _host(tmp_path, "x") == _docker("")
    os.mkfifo(work / "x")
    assert _host(tmp_path, "x") == _docker("1|fifo|0\n/work/x\n")
    (work / "x").unlink()
    (work / "x").mkdir()
    assert _host(tmp_path, "x") == _docker("1|directory|4096\n/work/x\n")


def test_a_copy_appears_only_when_complete(work: Path, tmp_path: Path) -> None:
    (work / "ok.bin").write_bytes(b"abcd")
    out = copy_host_file(work, str(work / "ok.bin"), tmp_path / "out", 4, "ok.bin", "/work")
    assert out.read_bytes() == b"abcd"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["ok.bin"]  # no temporary left
