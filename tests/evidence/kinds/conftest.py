"""Disk images built in the test with the file-system tools (no mounting, no root)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

MakeFat = Callable[..., Path]


def tool(name: str) -> str:
    """The path of a reference tool; the test fails (never skips) when it is missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail(f"{name} is not installed (tools/system-packages.txt; make system-deps)")
    return found


def sh(*argv: str, stdin: bytes | None = None) -> bytes:
    """Run a tool; its failure fails the test with its stderr."""
    done = subprocess.run([tool(argv[0]), *argv[1:]], input=stdin, capture_output=True,
                          check=False, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


@pytest.fixture
def make_fat(tmp_path: Path) -> MakeFat:
    """A FAT image (mkfs.vfat) with files written by mcopy and some deleted by mdel."""

    def make(files: dict[str, bytes], *, deleted: tuple[str, ...] = (), size_kib: int = 4096,
             fat: int = 16, label: str = "EVIDENCE") -> Path:
        image = tmp_path / f"fat{fat}-{len(files)}.img"
        sh("mkfs.vfat", "-C", "-F", str(fat), "-s", "1", "-n", label, "-i", "1234abcd", str(image),
           str(size_kib))
        src = tmp_path / "src"
        made: set[str] = set()
        for name, data in files.items():
            local = src / name
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(data)
            parts = Path(name).parts
            for i in range(1, len(parts)):
                folder = "/".join(parts[:i])
                if folder not in made:
                    sh("mmd", "-i", str(image), "::" + folder)
                    made.add(folder)
            sh("mcopy", "-m", "-i", str(image), str(local), "::" + name)
        for name in deleted:
            sh("mdel", "-i", str(image), "::" + name)
        return image

    return make
