"""A DNS A (or AAAA) lookup on the wire: a client's query to its resolver and the answer, as a
browser's resolver makes one before it connects (background browsing and the
``dns-lookup`` event share it)."""

from __future__ import annotations

import random

from runner.evidence.craft import dns_query, dns_response
from runner.generate.wire.frames import PROTO_UDP, IpPath, Node, udp_segment
from runner.generate.wire.sink import Sink
from runner.generate.wire.tcp import MS


def lookup(sink: Sink, client: Node, server: Node, name: str, answer: str, at: int,
           rng: random.Random) -> int:
    """A DNS A (or, for an IPv6 ``answer``, AAAA) query and its answer; returns when the
    answer arrived."""
    out = IpPath(client, server, PROTO_UDP, rng.getrandbits(16), df=False)
    back = IpPath(server, client, PROTO_UDP, rng.getrandbits(16), df=False)
    qid, port = rng.getrandbits(16), rng.randrange(49152, 65535)
    qtype = 28 if ":" in answer else 1
    sink.add(at, out.frame(udp_segment(out, port, 53, dns_query(name, qid=qid, qtype=qtype))))
    at += int(rng.uniform(5, 40) * MS)
    sink.add(at, back.frame(udp_segment(back, 53, port, dns_response(name, [answer], qid=qid,
                                                                     qtype=qtype))))
    return at + MS
