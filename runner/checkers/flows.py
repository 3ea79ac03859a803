"""Flagged flows as direction-agnostic 5-tuples, judged relative to chance.

One flow per line (or separated by ``;``), in any of these notations::

    10.0.0.1:1234 -> 10.0.0.2:80 tcp
    tcp 10.0.0.2:80 10.0.0.1:1234
    TCP [2001:db8::1]:443 <-> [2001:db8::2]:50000
    udp 10.0.0.1.5353 > 10.0.0.2.53          (tcpdump's address.port)
    icmp 10.0.0.1 10.0.0.2                   (no ports for ICMP)

Either end may come first: a flow is the same conversation both ways. Scored
like ``frames`` (lift over the base rate of the evidence's flows, and recall);
a long list may be submitted as a text file. Not sealable, for the same reason
as ``frames``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

from pydantic import Field

from runner.checkers._common import snippet
from runner.checkers._selection import Figures, SelectionParams, selection_verdict
from runner.checkers._universe import flow_count
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer, JudgeContext, Key, Verdict
from runner.checkers.ip import Address, parse_address
from runner.errors import DflabError

HINT = "Write one flow per line, e.g. 'tcp 10.0.0.1:1234 -> 10.0.0.2:80'."
MAX_FLOWS = 10_000
PROTOCOLS = {
    "tcp": "tcp", "udp": "udp", "sctp": "sctp", "icmp": "icmp",
    "icmpv6": "icmpv6", "icmp6": "icmpv6", "ipv6-icmp": "icmpv6",
}  # fmt: skip
PORTED = frozenset({"tcp", "udp", "sctp"})
_ARROWS = re.compile(r"<-+>|<=+>|-+>|<-+|=+>|[<>→←↔⇄,]|\bto\b", re.IGNORECASE)
_BRACKETED = re.compile(r"\[(?P<addr>[^\]]+)\](?::(?P<port>[0-9]{1,5}))?")
Endpoint = tuple[Address, int | None]


class FlowsParams(SelectionParams):
    ignore_protocol: bool = Field(
        False, description="Compare endpoints only; the protocol may be left out of answers."
    )
    evidence: str | None = Field(
        None, description="Name of the capture whose flows are the universe (when there are "
        "several)."
    )


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise InvalidAnswer(f"'{text}' is not a port number (0-65535).", HINT)
    return int(text)


def parse_endpoint(text: str) -> Endpoint:
    """``(address, port or None)`` from ``1.2.3.4:80``, ``[v6]:443``, ``1.2.3.4.80`` or an address.

    Raises:
        InvalidAnswer: not an endpoint.
    """
    if text.endswith(":") and not text.endswith("::"):
        text = text[:-1]  # tcpdump ends the destination with a colon
    bracketed = _BRACKETED.fullmatch(text)
    if bracketed:
        port = bracketed.group("port")
        return parse_address(bracketed.group("addr")), _port(port) if port else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return parse_address(host), _port(port)
    try:
        return parse_address(text), None
    except InvalidAnswer:
        head, dot, port = text.rpartition(".")
        if not dot or not head:
            raise
    return parse_address(head), _port(port)


def _sort_key(endpoint: Endpoint) -> tuple[int, int, int]:
    address, port = endpoint
    return (address.version, int(address), -1 if port is None else port)


def _show(endpoint: Endpoint) -> str:
    address, port = endpoint
    if port is None:
        return str(address)
    if isinstance(address, IPv6Address):
        return f"[{address}]:{port}"
    assert isinstance(address, IPv4Address)
    return f"{address}:{port}"


def parse_flow(line: str, params: FlowsParams) -> str:
    """The canonical form of one flow: ``tcp 10.0.0.1:1234 <-> 10.0.0.2:80``, lower end first.

    Raises:
        InvalidAnswer: not a flow.
    """
    tokens = _ARROWS.sub(" ", line).split()
    protocols = [PROTOCOLS[t.lower()] for t in tokens if t.lower() in PROTOCOLS]
    words = [t for t in tokens if t.lower() not in PROTOCOLS]
    if len(protocols) > 1 or len(words) != 2:
        raise InvalidAnswer(f"{snippet(line.strip())} is not one flow: two endpoints.", HINT)
    ends = sorted((parse_endpoint(w) for w in words), key=_sort_key)
    has_ports = [port is not None for _, port in ends]
    if has_ports[0] != has_ports[1]:
        raise InvalidAnswer(f"{snippet(line.strip())} gives a port for one end only.", HINT)
    protocol = "" if params.ignore_protocol else (protocols[0] if protocols else "")
    if not protocol and not params.ignore_protocol:
        raise InvalidAnswer(f"{snippet(line.strip())} names no protocol.", "Add tcp, udp or icmp.")
    if protocol in PORTED and not has_ports[0]:
        raise InvalidAnswer(f"A {protocol} flow needs the ports of both ends.", HINT)
    if protocol and protocol not in PORTED and has_ports[0]:
        raise InvalidAnswer(f"{protocol} has no ports; give the addresses only.", HINT)
    flow = f"{_show(ends[0])} <-> {_show(ends[1])}"
    return f"{protocol} {flow}" if protocol else flow


def parse_flows(raw: str, params: FlowsParams) -> list[str]:
    """The distinct canonical flows of an answer, sorted.

    Raises:
        InvalidAnswer: empty, too many flows, or a line that is not a flow.
    """
    if len(raw) > 1_100_000:
        raise InvalidAnswer("The answer is too long.", HINT)
    lines = [line for line in re.split(r"[\n;]", raw) if line.strip()]
    if not lines:
        raise InvalidAnswer("The answer names no flows.", HINT)
    if len(lines) > MAX_FLOWS:
        raise InvalidAnswer(f"The answer lists more than {MAX_FLOWS} flows.", "")
    flows = set()
    for number, line in enumerate(lines, 1):
        try:
            flows.add(parse_flow(line, params))
        except InvalidAnswer as exc:
            raise InvalidAnswer(f"Line {number}: {exc}", exc.hint) from None
    return sorted(flows)


def _from_mapping(value: Mapping[str, Any]) -> str:
    """``{proto, src, sport, dst, dport}`` (as analyzers report flows) to a line."""
    proto = value.get("proto", value.get("protocol", ""))
    ends = []
    for host, port in (("src", "sport"), ("dst", "dport")):
        address = value.get(host, "")
        number = value.get(port)
        text = f"[{address}]" if ":" in str(address) else str(address)
        ends.append(text if number is None else f"{text}:{number}")
    return f"{proto} {ends[0]} {ends[1]}"


class FlowsChecker(Checker):
    name = "flows"
    summary = "Flagged flows (5-tuples, either direction); judged against chance."
    Params = FlowsParams
    sealable = False
    accepts_file = True

    def normalize(self, raw: str, params: CheckerParams) -> str:
        assert isinstance(params, FlowsParams)
        return "\n".join(parse_flows(raw, params))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        assert isinstance(params, FlowsParams)
        line = _from_mapping(value) if isinstance(value, Mapping) else str(value)
        return parse_flow(line, params)

    def check_expected(self, values: tuple[Any, ...], params: CheckerParams) -> list[str]:
        problems = super().check_expected(values, params)
        if not values:
            problems.append("a flows task needs at least one flagged flow")
        return problems

    def is_sealable(self, params: CheckerParams) -> bool:
        return False

    def key_size_problem(self, key: Key, params: CheckerParams) -> tuple[str, str, str] | None:
        """More flows than an answer may list is an error; too long to type, a warning."""
        from runner.session.protocol import MAX_ANSWER_BYTES

        if len(key.values) > MAX_FLOWS:
            return ("error", f"the key holds {len(key.values)} flows; an answer may list at "
                    f"most {MAX_FLOWS}", "narrow the question (or the query) to fewer flows")
        size = sum(len(str(v).encode()) + 1 for v in key.values)
        if size > MAX_ANSWER_BYTES:
            return ("warning", f"the flagged flows take about {size:,} bytes, more than "
                    f"'lab answer' accepts ({MAX_ANSWER_BYTES:,})",
                    "tell trainees to 'lab submit' a text file with one flow per line")
        return None

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, FlowsParams)
        try:
            flows = parse_flows(answer, params)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        flagged = set()
        for value in key.values:
            try:
                flagged.add(self.normalize_expected(value, params))
            except InvalidAnswer:
                continue
        fig = Figures(len(flagged.intersection(flows)), len(flows), len(flagged),
                      _universe(params, ctx))
        return selection_verdict(fig, params=params, what="flows", normalized="\n".join(flows))

    def judge_file(self, path: Path, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        """A text file of flows, one per line, for lists too long to type."""
        if path.is_symlink() or not path.is_file():
            return Verdict.invalid("Submit a regular text file, not a link or a folder.")
        raw = path.read_bytes()[:1_100_001]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Verdict.invalid("Submit a text file with one flow per line.")
        return self.judge(text, key, params, ctx)


def _universe(params: FlowsParams, ctx: JudgeContext) -> int | None:
    """Flows in the evidence capture, or ``None`` when the lab has no single capture."""
    from runner.checkers.frames import FramesParams, evidence_capture

    try:
        capture = evidence_capture(FramesParams(evidence=params.evidence), ctx)
        return flow_count(capture, ignore_protocol=params.ignore_protocol)
    except (DflabError, OSError):
        return None


CHECKER = FlowsChecker
