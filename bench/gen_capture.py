#!/usr/bin/env python3
"""Generate a large, realistic, reproducible capture for benchmarking the analysis pass.

Traffic mix (interleaved, like a real office uplink): web sessions (DNS lookup, TCP
handshake, GET, a response object of 1 KB-200 KB, some chunked and gzip encoded,
per-segment ACKs, FIN teardown), ICMP echo pairs, a SYN port scan, and about 10% of
everything over IPv6. Packets are built from raw bytes with struct (no scapy per
packet), so a million packets take well under a minute.

    python bench/gen_capture.py --packets 1000000 --out /tmp/bench.pcap
"""

from __future__ import annotations

import argparse
import gzip
import random
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runner.evidence import craft

MSS = 1448
Frame = tuple[float, bytes]


class Gen:
    """Seeded traffic source; every session is a generator of (time offset, frame bytes)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        words = [self.rng.randbytes(self.rng.randint(2, 9)).hex() for _ in range(2000)]
        self.text = " ".join(self.rng.choice(words) for _ in range(120_000)).encode()
        self.blob = self.rng.randbytes(400_000)
        self.hosts = [f"www.site{i}.example" for i in range(300)]

    def addr(self, v6: bool, server: bool) -> str:
        n = self.rng.randint(1, 250)
        if v6:
            return f"2001:db8:{'1' if server else '2'}::{n:x}"
        return f"203.0.113.{n}" if server else f"10.1.{self.rng.randint(0, 3)}.{n}"

    def ip(self, payload: bytes, src: str, dst: str, proto: int) -> bytes:
        if ":" in src:
            return craft.ether(craft.ipv6(payload, src=src, dst=dst, nxt=proto), etype=0x86DD)
        return craft.ether(craft.ipv4(payload, src=src, dst=dst, proto=proto))

    def body(self, size: int) -> bytes:
        pool = self.text if self.rng.random() < 0.5 else self.blob
        start = self.rng.randrange(0, len(pool) - size)
        return pool[start : start + size]

    def web(self) -> Iterator[bytes]:
        v6 = self.rng.random() < 0.1
        client, server = self.addr(v6, False), self.addr(v6, True)
        resolver = "2001:db8:53::53" if v6 else "192.0.2.53"
        host = self.rng.choice(self.hosts)
        qid = self.rng.randrange(65536)
        cport = self.rng.randint(1024, 65000)
        yield self.ip(
            craft.udp(craft.dns_query(host, qid=qid), sport=cport, dport=53), client, resolver, 17
        )
        answer = craft.dns_response(host, ["203.0.113.9"], qid=qid)
        yield self.ip(craft.udp(answer, sport=53, dport=cport), resolver, client, 17)
        sport = self.rng.randint(1024, 65000)
        cs, ss = self.rng.randrange(1 << 32), self.rng.randrange(1 << 32)

        def c2s(data: bytes = b"", flags: str = "A") -> bytes:
            seg = craft.tcp(
                data, sport=sport, dport=80, seq=cs & 0xFFFFFFFF, ack=ss & 0xFFFFFFFF, flags=flags
            )
            return self.ip(seg, client, server, 6)

        def s2c(data: bytes = b"", flags: str = "A") -> bytes:
            seg = craft.tcp(
                data, sport=80, dport=sport, seq=ss & 0xFFFFFFFF, ack=cs & 0xFFFFFFFF, flags=flags
            )
            return self.ip(seg, server, client, 6)

        yield c2s(flags="S")
        cs += 1
        yield s2c(flags="SA")
        ss += 1
        yield c2s()
        ext = self.rng.choice(["html", "js", "png", "exe", "css"])
        path = f"/files/{self.rng.randrange(10**6)}.{ext}"
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench/1.0\r\n"
                   "Accept: */*\r\n\r\n").encode()  # fmt: skip
        yield c2s(request, "PA")
        cs += len(request)
        response = self.response(int(self.rng.lognormvariate(9.5, 1.1)) % 200_000 + 1000)
        for i in range(0, len(response), MSS):
            seg = response[i : i + MSS]
            yield s2c(seg, "PA" if i + MSS >= len(response) else "A")
            ss += len(seg)
            yield c2s()
        yield s2c(flags="FA")
        ss += 1
        yield c2s(flags="FA")
        cs += 1
        yield s2c()

    def response(self, size: int) -> bytes:
        body = self.body(size)
        if self.rng.random() < 0.15:
            packed = gzip.compress(body, compresslevel=1, mtime=0)
            chunks = b"".join(
                b"%x\r\n" % len(packed[i : i + 8000]) + packed[i : i + 8000] + b"\r\n"
                for i in range(0, len(packed), 8000)
            )
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
            return head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        head += f"Content-Length: {size}\r\n\r\n"
        return head.encode() + body

    def ping(self) -> Iterator[bytes]:
        v6 = self.rng.random() < 0.1
        a, b = self.addr(v6, False), self.addr(v6, True)
        ident = self.rng.randrange(65536)
        for seq in range(self.rng.randint(1, 8)):
            for kind in (128, 129) if v6 else (8, 0):
                src, dst = (a, b) if kind in (8, 128) else (b, a)
                msg = struct.pack("!BBHHH", kind, 0, 0, ident, seq) + bytes(56)
                yield self.ip(msg, src, dst, 58 if v6 else 1)

    def scan(self, ports: int) -> Iterator[bytes]:
        scanner, target = "10.1.9.9", "203.0.113.250"
        open_ports = {22, 80, 443}
        for port in self.rng.sample(range(1, 65536), ports - 3) + sorted(open_ports):
            yield self.ip(craft.tcp(sport=40000, dport=port, seq=7, flags="S"), scanner, target, 6)
            flags = "SA" if port in open_ports else "RA"
            yield self.ip(
                craft.tcp(sport=port, dport=40000, seq=9, ack=8, flags=flags), target, scanner, 6
            )


def frames(gen: Gen, total: int) -> Iterator[bytes]:
    """Interleave up to 40 concurrent sources until ``total`` frames were produced."""
    active: list[Iterator[bytes]] = [gen.scan(min(2000, max(total // 500, 20)))]
    produced = 0
    while produced < total:
        while len(active) < 40:
            active.append(gen.ping() if gen.rng.random() < 0.25 else gen.web())
        i = gen.rng.randrange(len(active))
        frame = next(active[i], None)
        if frame is None:
            active.pop(i)
            continue
        produced += 1
        yield frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("bench-capture.pcap"))
    args = parser.parse_args(argv)
    gen = Gen(args.seed)
    ts = 1_700_000_000 * 1_000_000
    pack = struct.Struct("<IIII").pack
    size = 0
    with args.out.open("wb", buffering=1 << 22) as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for frame in frames(gen, args.packets):
            ts += gen.rng.randint(1, 400)
            out.write(pack(ts // 1_000_000, ts % 1_000_000, len(frame), len(frame)))
            out.write(frame)
            size += len(frame) + 16
    print(f"{args.out}: {args.packets} packets, {size / 1e6:.0f} MB (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
