#!/usr/bin/env python3
"""Record what Wireshark's tshark says about each shipped capture, as golden JSON for the tests.

Run from the repository root by any developer with tshark installed::

    python tools/record_golden.py            # every capture in pcaps/
    python tools/record_golden.py pcaps/cs_synscan.pcapng

Writes ``tests/golden/<capture name>.json``. The tests in
``tests/evidence/test_golden.py`` compare dflab's analyzers with these files, so
they run (and must pass) on machines without tshark. Re-record after upgrading
tshark and review the diff: a changed golden file is a change in Wireshark.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CAPTURES = ROOT / "pcaps"


def tshark(*args: str) -> str:
    """Run tshark with name resolution off; return stdout."""
    cmd = ["tshark", "-n", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def fields(path: Path, display_filter: str, *names: str) -> list[list[str]]:
    """Rows of ``-T fields`` output (first occurrence of each field)."""
    args = ["-r", str(path), "-T", "fields", "-E", "occurrence=f"]
    if display_filter:
        args += ["-Y", display_filter]
    for name in names:
        args += ["-e", name]
    return [line.split("\t") for line in tshark(*args).splitlines() if line]


def conversations(path: Path) -> list[dict[str, Any]]:
    """TCP and UDP conversations as tshark numbers them (tcp.stream / udp.stream)."""
    rows = fields(
        path, "tcp || udp", "frame.number", "frame.len", "tcp.stream", "udp.stream",
        "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport",
        "udp.srcport", "udp.dstport", "icmp.type", "icmpv6.type",
    )  # fmt: skip
    streams: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        frame, size, tcp_stream, udp_stream, s4, s6, d4, d6, tsp, tdp, usp, udp_, i4, i6 = row
        if i4 or i6:
            continue  # ICMP errors quote a TCP/UDP header; not part of the conversation
        proto, stream = ("tcp", tcp_stream) if tcp_stream else ("udp", udp_stream)
        if not stream:
            continue
        src, dst = s4 or s6, d4 or d6
        sport, dport = (tsp, tdp) if proto == "tcp" else (usp, udp_)
        entry = streams.setdefault(
            (proto, int(stream)),
            {"proto": proto, "stream": int(stream), "first_frame": int(frame),
             "endpoints": sorted([f"{src} {sport}", f"{dst} {dport}"]), "frames": 0, "bytes": 0},
        )  # fmt: skip
        entry["frames"] += 1
        entry["bytes"] += int(size)
    return sorted(streams.values(), key=lambda e: (e["proto"], e["stream"]))


def credentials(path: Path) -> list[dict[str, Any]]:
    """Rows of ``-z credentials``: packet, protocol, username."""
    out = []
    for line in tshark("-r", str(path), "-q", "-z", "credentials").splitlines():
        match = re.match(r"^(\d+)\s+(.+?)\s{2,}(\S+)", line)
        if match:
            out.append({"frame": int(match[1]), "protocol": match[2], "username": match[3]})
    return out


def exported_objects(path: Path) -> list[dict[str, Any]]:
    """SHA-256 and size of every object ``--export-objects http`` writes."""
    with tempfile.TemporaryDirectory() as tmp:
        tshark("-r", str(path), "-q", "--export-objects", f"http,{tmp}")
        files = sorted(Path(tmp).iterdir())
        objects = [
            {"sha256": hashlib.sha256(f.read_bytes()).hexdigest(), "size": f.stat().st_size}
            for f in files
        ]
    return sorted(objects, key=lambda o: (o["sha256"], o["size"]))


def record(path: Path) -> dict[str, Any]:
    """Everything the golden tests compare, for one capture."""
    frames = fields(path, "", "frame.number")
    dns = fields(path, "dns", "frame.number", "dns.flags.response", "dns.qry.name", "udp.port")
    http = fields(path, "http.request", "frame.number", "http.request.method", "http.host",
                  "http.request.uri", "tcp.stream")  # fmt: skip
    tls = fields(
        path, "tls.handshake.type == 1", "frame.number", "tls.handshake.extensions_server_name"
    )
    return {
        "capture": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "tshark": tshark("--version").splitlines()[0],
        "packets": len(frames),
        "conversations": conversations(path),
        "dns_queries": [{"frame": int(r[0]), "name": r[2]} for r in dns if r[1] in ("0", "False")],
        "http_requests": [
            {
                "frame": int(r[0]),
                "method": r[1],
                "host": r[2],
                "uri": r[3],
                "transport": "tcp" if r[4] else "udp",
            }
            for r in http
        ],
        "http_objects": exported_objects(path),
        "credentials": credentials(path),
        "tls_client_hellos": [{"frame": int(r[0]), "sni": r[1]} for r in tls],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captures", nargs="*", type=Path, help="default: every file in pcaps/")
    args = parser.parse_args(argv)
    if shutil.which("tshark") is None:
        print("tshark is not installed (apt-get install tshark)", file=sys.stderr)
        return 2
    captures = args.captures or sorted(
        p for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng")
    )
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for path in captures:
        data = record(path)
        out = GOLDEN / f"{path.name}.json"
        out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{out.relative_to(ROOT)}: {data['packets']} packets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
