"""``port-scan``: a TCP (SYN, connect, FIN, XMAS, NULL) or UDP scan of one target's ports.

Probes go out in a shuffled order at ``rate`` per second, as nmap sends them. Open TCP
ports answer SYN/ACK (a SYN scan then resets, a connect scan completes the handshake and
resets); closed ports answer RST/ACK. FIN/XMAS/NULL probes get RST/ACK from closed ports
and silence from open ones. UDP probes to closed ports get ICMP port unreachable; open
ports stay silent (nmap's open|filtered) except DNS, which answers FORMERR.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from runner.evidence.craft import dns_response
from runner.generate.events.base import NS, Event, EventContext, EventParams
from runner.generate.wire.frames import PROTO_ICMP, PROTO_UDP, IpPath, udp_segment
from runner.generate.wire.sink import Sink
from runner.generate.wire.tcp import ACK, FIN, MS, PSH, RST, SYN, TcpFlow, syn_options

_PROBE_FLAGS = {"fin": FIN, "xmas": FIN | PSH | 0x20, "null": 0}


class PortScanParams(EventParams):
    scanner: str = Field(description="Host key (or IPv4 address) sending the probes.")
    target: str = Field(description="Host key (or IPv4 address) probed.")
    kind: Literal["syn", "connect", "fin", "xmas", "null", "udp"] = "syn"
    ports: list[int] = Field(min_length=1, max_length=65535,
                             description="Ports probed (each once, in shuffled order).")
    open: list[int] = Field(default_factory=list, description="Which of the ports are open.")
    rate: float = Field(500.0, gt=0, le=100_000, description="Probes per second.")
    rtt_ms: float = Field(1.0, ge=0.1, le=2000, description="Round trip time to the target.")

    @model_validator(mode="after")
    def _open_are_probed(self) -> PortScanParams:
        stray = sorted(set(self.open) - set(self.ports))
        if stray:
            raise ValueError(f"open ports {stray} are not in 'ports'")
        if any(not 0 < p < 65536 for p in self.ports):
            raise ValueError("ports must be 1..65535")
        return self


class PortScan(Event):
    type: ClassVar[str] = "port-scan"
    Params = PortScanParams

    def emit(self, params: EventParams, ctx: EventContext) -> dict[str, Any]:
        assert isinstance(params, PortScanParams)
        scanner, target = ctx.node(params.scanner), ctx.node(params.target)
        ports = sorted(set(params.ports))
        order = list(ports)
        ctx.rng.shuffle(order)
        opened = set(params.open)
        sport = ctx.rng.randrange(32768, 61000)
        gap = int(NS / params.rate)
        t = ctx.time(params.at)
        udp_out = IpPath(scanner, target, PROTO_UDP, ctx.rng.getrandbits(16), df=False)
        udp_back = IpPath(target, scanner, PROTO_UDP, ctx.rng.getrandbits(16))
        icmp_back = IpPath(target, scanner, PROTO_ICMP, ctx.rng.getrandbits(16))
        for port in order:
            cport = sport if params.kind != "connect" else ctx.rng.randrange(32768, 61000)
            if params.kind == "udp":
                _udp_probe(ctx.sink, t, udp_out, udp_back, icmp_back, sport, port,
                           port in opened, params.rtt_ms)
            else:
                flow = TcpFlow(ctx.sink, scanner, target, cport, port, ctx.rng,
                               rtt_ms=params.rtt_ms)
                _tcp_probe(flow, t, params.kind, port in opened)
            t += max(1, int(gap * ctx.rng.uniform(0.7, 1.3)))
        return {"type": params.kind, "scanner": scanner.ip, "target": target.ip,
                "ports": ports, "open_ports": sorted(opened),
                "closed_ports": sorted(set(ports) - opened), "probes": len(ports)}


def _tcp_probe(flow: TcpFlow, t: int, kind: str, is_open: bool) -> None:
    client, server = flow.client, flow.server
    rtt = flow.jitter(flow.rtt)
    if kind == "connect":
        if is_open:
            t = flow.open(t)
            flow.reset(t + flow.jitter(MS // 10))
        else:
            flow.sink.add(t, client.segment(SYN, 0, options=syn_options(1460)))
            flow.sink.add(t + rtt, server.segment(RST | ACK, client.seq))
        return
    if kind == "syn":
        client.window = 1024  # nmap's raw SYN probe
        flow.sink.add(t, client.segment(SYN, 0, options=syn_options(1460)))
        if is_open:
            flow.sink.add(t + rtt, server.segment(SYN | ACK, client.seq,
                                                  options=syn_options(1460)))
            flow.sink.add(t + rtt + flow.jitter(MS // 20), client.segment(RST, 0, window=0))
        else:
            flow.sink.add(t + rtt, server.segment(RST | ACK, client.seq, seq=0, window=0))
        return
    client.window = 1024
    flow.sink.add(t, client.segment(_PROBE_FLAGS[kind], 0))
    if not is_open:
        flow.sink.add(t + rtt, server.segment(RST | ACK, client.seq, seq=0, window=0))


def _udp_probe(sink: Sink, t: int, out: IpPath, back: IpPath, icmp: IpPath, sport: int,
               port: int, is_open: bool, rtt_ms: float) -> None:
    probe = out.frame(udp_segment(out, sport, port, b""))
    sink.add(t, probe)
    answer_at = t + int(rtt_ms * MS)
    if is_open:  # a service answers an empty probe only where the protocol allows it
        if port == 53:
            reply = dns_response("version.bind", [], qid=0, rcode=1)
            sink.add(answer_at, back.frame(udp_segment(back, port, sport, reply)))
    else:  # port unreachable quotes the probe's IP header and first 8 bytes
        quoted = probe[14:14 + (48 if icmp.v6 else 28)]  # the probe's IP and UDP headers
        sink.add(answer_at, icmp.frame(icmp.icmp(3, 3, 0, 0, quoted)))
