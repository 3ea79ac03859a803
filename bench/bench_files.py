#!/usr/bin/env python3
"""Disk facts for a 1 GB image holding 10,000 files, beside ``fls -r`` on the same image.

Builds the image itself without mounting anything: a seeded tree of files (text,
pictures, documents, binaries of 1 KiB-128 KiB) written to a temporary folder,
``mkfs.ext4 -d`` to make a 1 GB ext4 image from it, then ``debugfs`` deleting 5% of
the files so the walk also meets deleted entries. Times, in the same run:

* dflab: every disk analyzer (partitions, volumes, every file with its SHA-256,
  signatures carved from unallocated space), in this process;
* ``fls -r -p`` (The Sleuth Kit's recursive listing, no hashing) on the same image;
* ``fls -r -p`` plus ``icat`` of every file piped to ``sha256sum`` would be the
  fair comparison for hashing, but runs 10,000 processes: it is estimated from 200.

Target: dflab under 30 s. No assertions: ``make bench-files`` prints the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runner.evidence.kinds.dispatch import analyze_evidence

_KINDS = (b"\xff\xd8\xff\xe0JFIF", b"%PDF-1.5\n", b"PK\x03\x04", b"", b"\x7fELF")


def build(folder: Path, files: int, size_mb: int, seed: int) -> tuple[Path, int]:
    """The ext4 image and the number of files deleted from it."""
    rng = random.Random(seed)
    tree = folder / "tree"
    names = []
    for i in range(files):
        sub = tree / f"user{i % 20:02d}" / f"dir{i % 250:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"file{i:05d}.bin"
        head = _KINDS[i % len(_KINDS)]
        path.write_bytes(head + rng.randbytes(rng.randint(1024, 128 * 1024)))
        names.append(path.relative_to(tree).as_posix())
    image = folder / "bench.img"
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "BENCH", "-d", str(tree), str(image),
                    f"{size_mb}M"], check=True, capture_output=True)
    doomed = rng.sample(names, files // 20)
    script = folder / "rm.debugfs"
    script.write_text("".join(f"rm /{name}\n" for name in doomed), encoding="utf-8")
    subprocess.run(["debugfs", "-w", "-f", str(script), str(image)], check=True,
                   capture_output=True)
    shutil.rmtree(tree)
    return image, len(doomed)


def _timed(argv: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start, done.stdout


def measure(image: Path) -> dict[str, object]:
    start = time.perf_counter()
    facts = analyze_evidence(image)
    dflab = time.perf_counter() - start
    fls_time, listing = _timed(["fls", "-r", "-p", str(image)])
    inodes = [line.split(b":", 1)[0].split()[-1] for line in listing.splitlines()
              if line.startswith(b"r/r") and b"*" not in line.split(b":", 1)[0]][:200]
    start = time.perf_counter()
    for inode in inodes:
        subprocess.run(f"icat {image} {inode.decode()} | sha256sum", shell=True,
                       check=True, capture_output=True)
    icat_each = (time.perf_counter() - start) / max(1, len(inodes))
    files = facts.tables["disk.files"]
    regular = sum(1 for r in files if r["type"] == "r/r" and not r["deleted"])
    return {
        "image_bytes": image.stat().st_size, "entries": len(files),
        "deleted": sum(1 for r in files if r["deleted"]),
        "hashed": sum(1 for r in files if r["sha256"]),
        "carved": len(facts.tables["carve.signatures"]),
        "dflab_s": round(dflab, 2), "fls_s": round(fls_time, 2),
        "ratio": round(dflab / fls_time, 1) if fls_time else None,
        "fls_icat_estimate_s": round(fls_time + icat_each * regular, 1),
        "warnings": facts.warning_count,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dflab-bench-files-") as tmp:
        start = time.perf_counter()
        image, deleted = build(Path(tmp), args.files, args.size_mb, args.seed)
        built = time.perf_counter() - start
        result = {"files": args.files, "deleted_by_debugfs": deleted,
                  "build_s": round(built, 1), **measure(image)}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"image: {result['image_bytes'] / 1e9:.2f} GB ext4, {args.files} files, "
          f"{deleted} deleted with debugfs (built in {result['build_s']} s)")
    print(f"dflab facts (partitions, volumes, {result['entries']} entries, "
          f"{result['hashed']} SHA-256, {result['carved']} carved signatures): "
          f"{result['dflab_s']} s  (target < 30 s)")
    print(f"fls -r -p (listing only):                 {result['fls_s']} s  "
          f"(dflab / fls = {result['ratio']}x)")
    print(f"fls + icat | sha256sum per file (estimated from 200 files): "
          f"{result['fls_icat_estimate_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
