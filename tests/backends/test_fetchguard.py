"""Artifact copy-out checks, without an engine: paths, probe answers, stat headers, tar streams."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from pathlib import Path

import pytest

from runner.backends import fetchguard as fg
from runner.errors import RefusedError


@pytest.mark.parametrize(
    ("given", "expected"),
    [("a.bin", "/work/a.bin"), ("/work/a.bin", "/work/a.bin"), ("./x/y", "/work/x/y"),
     ("//work//x", "/work/x"), ("/work/./x/", "/work/x")],
)
def test_normalise_keeps_paths_under_work(given: str, expected: str) -> None:
    assert fg.normalise(given) == expected


@pytest.mark.parametrize("bad", ["", "/work", "/work/", "..", "../etc/passwd", "/work/../etc",
                                 "x/../../y", "/etc/passwd", "/dev/null", "/workx/a", "a\x00b"])
def test_normalise_refuses(bad: str) -> None:
    with pytest.raises(RefusedError):
        fg.normalise(bad)


@pytest.mark.parametrize(
    ("output", "reason"),
    [("1|symbolic link|11\n/etc/passwd\n", "symbolic link"),
     ("1|character special file|0\n/work/d\n", "a character device"),
     ("1|fifo|0\n/work/f\n", "named pipe"),
     ("2|regular file|5\n/work/f\n", "hard link"),
     ("1|regular file|999\n/work/f\n", "over the 100-byte limit"),
     ("1|regular file|5\n/etc/f\n", "symbolic link"),
     ("", "no such file")],
)
def test_probe_refusals(output: str, reason: str) -> None:
    with pytest.raises(RefusedError, match=reason):
        fg.check_probe("/work/f", 0 if output else 1, output, 100)


def test_probe_accepts_a_plain_file() -> None:
    fg.check_probe("/work/f", 0, "1|regular file|5\n/work/f\n", 100)
    fg.check_probe("/work/f", 0, "1|regular empty file|0\n/work/f\n", 100)


def stat_header(mode: int, size: int = 5) -> str:
    return base64.b64encode(json.dumps({"name": "f", "mode": mode, "size": size}).encode()).decode()


def test_stat_checks_each_component() -> None:
    assert fg.components("/work/a/b/f") == ["/work/a", "/work/a/b", "/work/a/b/f"]
    fg.check_stat("/work/a/f", "/work/a", stat_header((1 << 31) | 0o755), 100)
    with pytest.raises(RefusedError, match="path goes through one"):
        fg.check_stat("/work/a/f", "/work/a", stat_header((1 << 27) | 0o777), 100)
    with pytest.raises(RefusedError, match="/work/a is not a folder"):
        fg.check_stat("/work/a/f", "/work/a", stat_header(0o644), 100)
    with pytest.raises(RefusedError, match="symbolic link"):
        fg.check_stat("/work/f", "/work/f", stat_header((1 << 27) | 0o777), 100)
    with pytest.raises(RefusedError, match="over"):
        fg.check_stat("/work/f", "/work/f", stat_header(0o644, 101), 100)
    with pytest.raises(RefusedError, match="no usable stat"):
        fg.check_stat("/work/f", "/work/f", "garbage", 100)
    fg.check_stat("/work/f", "/work/f", stat_header(0o644), 100)


def tar_of(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buf.getvalue()


Member = tuple[tarfile.TarInfo, bytes]


def member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE) -> Member:
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, len(data) if kind == tarfile.REGTYPE else 0
    info.linkname = "/etc/passwd" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
    return info, data


def test_extract_one_writes_the_file(tmp_path: Path) -> None:
    stream = io.BytesIO(tar_of(member("f.bin", b"\x00\x01payload")))
    out = fg.extract_one(stream, "/work/f.bin", tmp_path, 100)
    assert out.read_bytes() == b"\x00\x01payload"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE,
                                  tarfile.FIFOTYPE, tarfile.DIRTYPE])
def test_extract_one_refuses_other_members(tmp_path: Path, kind: bytes) -> None:
    stream = io.BytesIO(tar_of(member("f", kind=kind)))
    with pytest.raises(RefusedError):
        fg.extract_one(stream, "/work/f", tmp_path, 100)
    assert not list(tmp_path.iterdir())


class Counting(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_extract_one_stops_reading_past_the_cap(tmp_path: Path) -> None:
    big = tar_of(member("f", b"x" * 5_000_000))
    stream = Counting(big)
    with pytest.raises(RefusedError, match="over"):
        fg.extract_one(stream, "/work/f", tmp_path, 1000)
    assert stream.taken < 200_000
    assert not list(tmp_path.iterdir())


def test_extract_one_refuses_a_stream_longer_than_its_header(tmp_path: Path) -> None:
    info, _ = member("f", b"x" * 10)
    info.size = 10
    lying = tar_of((info, b"x" * 10)) + b"\x00" * 2_000_000
    with pytest.raises(RefusedError):
        fg.extract_one(io.BytesIO(b"garbage" * 100), "/work/f", tmp_path, 1000)
    fg.extract_one(io.BytesIO(lying), "/work/f", tmp_path, 1000)  # trailing zeros are not read


def test_extract_one_refuses_a_renamed_member(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="instead"):
        fg.extract_one(io.BytesIO(tar_of(member("other", b"x"))), "/work/f", tmp_path, 100)
