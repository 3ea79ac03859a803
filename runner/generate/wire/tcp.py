"""TCP conversations with correct handshakes, sequence/acknowledgement numbers, MSS
segmentation, delayed ACKs and teardown, timed as a capture point near the client sees them.

Each direction's 20-byte TCP header is built once with scapy and patched per segment
(sequence, acknowledgement, flags, checksum). The sender never has more than half the
receiver's window in flight, so Wireshark's TCP analysis has nothing to flag.
"""

from __future__ import annotations

import random
import struct
from functools import lru_cache

from scapy.layers.inet import TCP

from runner.generate.wire.frames import PROTO_TCP, IpPath, Node
from runner.generate.wire.sink import Sink

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MS = 1_000_000  # nanoseconds


def syn_options(mss: int) -> bytes:
    """The MSS option a SYN carries (4 bytes, so the header stays word aligned)."""
    return struct.pack("!BBH", 2, 4, mss)


@lru_cache(maxsize=64)
def _tcp_template(window: int) -> bytes:
    """A 20-byte TCP header as scapy builds it; ports, numbers and flags are patched in."""
    return bytes(TCP(sport=0, dport=0, seq=0, ack=0, flags=0, window=window))


class Side:
    """One direction of a conversation: its frame path, header template and next sequence."""

    def __init__(self, src: Node, dst: Node, sport: int, dport: int, isn: int, ident: int) -> None:
        self.path = IpPath(src, dst, PROTO_TCP, ident)
        self.head = bytearray(_tcp_template(src.window))
        struct.pack_into("!HH", self.head, 0, sport, dport)
        self.seq = isn
        self.window = src.window

    def segment(self, flags: int, ack: int, payload: bytes = b"", options: bytes = b"",
                window: int | None = None, seq: int | None = None) -> bytes:
        """One frame of this direction; advances ``seq`` by the payload (and SYN/FIN)."""
        head = self.head if not options else bytearray(self.head) + options
        offset = (20 + len(options)) // 4
        struct.pack_into("!IIBBHH", head, 4, self.seq if seq is None else seq, ack,
                         offset << 4, flags, self.window if window is None else window, 0)
        path = self.path
        length = len(head) + len(payload)  # the header is 20 or 24 bytes: word aligned
        value = path.checksum(length, head, payload)
        struct.pack_into("!H", head, 16, value)
        if seq is None:
            self.seq = (self.seq + len(payload) + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF
        return path.frame(bytes(head), payload)


class TcpFlow:
    """A TCP conversation between ``client`` and ``server`` written into ``sink``.

    Times are nanoseconds; every method takes the time it starts at and returns the time
    the conversation is at afterwards.
    """

    def __init__(self, sink: Sink, client: Node, server: Node, cport: int, sport: int,
                 rng: random.Random, *, rtt_ms: float = 20.0, mss: int = 1460) -> None:
        self.sink = sink
        self.rng = rng
        self.client = Side(client, server, cport, sport, rng.getrandbits(32), rng.getrandbits(16))
        self.server = Side(server, client, sport, cport, rng.getrandbits(32), rng.getrandbits(16))
        self.rtt = int(rtt_ms * MS)
        self.mss = mss

    def _emit(self, t: int, side: Side, flags: int, payload: bytes = b"",
              options: bytes = b"") -> None:
        other = self.server if side is self.client else self.client
        ack = other.seq if flags & ACK else 0
        self.sink.add(t, side.segment(flags, ack, payload, options))

    def jitter(self, base: int) -> int:
        """``base`` nanoseconds, varied by up to a fifth either way."""
        return max(1, int(base * self.rng.uniform(0.8, 1.2)))

    def open(self, t: int) -> int:
        """Three-way handshake (SYN and SYN/ACK carry MSS)."""
        self._emit(t, self.client, SYN, options=syn_options(self.mss))
        t += self.jitter(self.rtt)
        self._emit(t, self.server, SYN | ACK, options=syn_options(self.mss))
        t += self.jitter(MS // 10)
        self._emit(t, self.client, ACK)
        return t

    def send(self, t: int, from_client: bool, data: bytes) -> int:
        """``data`` in MSS segments (PSH on the last of each burst), ACKed by the receiver."""
        side = self.client if from_client else self.server
        peer = self.server if from_client else self.client
        burst = max(1, min(10, peer.window // (2 * self.mss)))
        chunks = [data[i:i + self.mss] for i in range(0, len(data), self.mss)]
        for start in range(0, len(chunks), burst):
            group = chunks[start:start + burst]
            acked = t
            for i, chunk in enumerate(group):
                last = i == len(group) - 1
                self._emit(t, side, ACK | (PSH if last else 0), chunk)
                if i % 2 == 1 or last:
                    acked = max(acked, t + self.jitter(self.rtt))
                    self.sink.add(acked, peer.segment(ACK, side.seq))
                t += self.jitter(12_000 + len(chunk) * 80)  # ~100 Mbit/s serialisation
            t = max(t, acked) + self.jitter(MS // 10)
        return t

    def exchange(self, t: int, request: bytes, response: bytes, think_ms: float = 0.0) -> int:
        """Client sends ``request``, server answers ``response`` after ``think_ms``."""
        if request:
            t = self.send(t, True, request)
        t += self.jitter(int(think_ms * MS)) if think_ms else 0
        if response:
            t = self.send(t, False, response)
        return t

    def close(self, t: int, by_client: bool = True) -> int:
        """FIN/ACK from one side, FIN/ACK back, last ACK."""
        first = self.client if by_client else self.server
        second = self.server if by_client else self.client
        self._emit(t, first, FIN | ACK)
        t += self.jitter(self.rtt)
        self._emit(t, second, FIN | ACK)
        t += self.jitter(MS // 10)
        self._emit(t, first, ACK)
        return t

    def reset(self, t: int, by_client: bool = True) -> int:
        """An abortive close: RST/ACK from one side."""
        self._emit(t, self.client if by_client else self.server, RST | ACK)
        return t


def keystrokes(flow: TcpFlow, t: int, text: str, echo: bool) -> int:
    """The client typing ``text`` one key per segment (Telnet); the server echoes each key
    (or, for a password, only acknowledges it)."""
    for char in text:
        key = char.encode("latin-1")
        flow._emit(t, flow.client, PSH | ACK, key)
        t += flow.jitter(flow.rtt)
        if echo and char not in "\r\n":
            flow._emit(t, flow.server, PSH | ACK, key)
        else:
            flow._emit(t, flow.server, ACK)
        t += flow.jitter(120 * MS)  # typing speed
    return t
