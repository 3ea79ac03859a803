"""The new fact tables agree with tshark on the shipped captures (tshark is required).

Each test runs tshark on a capture in ``pcaps/`` and compares its fields with the
rows of one table: ftp, smtp, ssh, vlan, packets (TCP flags), fingerprints (TTL and
SYN window), dhcp options, and streams (reassembled text).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from runner.evidence.analyzers.packets import flags_text
from runner.evidence.analyzers.streams import printable
from runner.evidence.engine import FactSet, analyze

PCAPS = Path(__file__).resolve().parents[3] / "pcaps"


def tshark(capture: str, display_filter: str, *fields: str) -> list[list[str]]:
    """Rows of ``tshark -T fields`` (fails, never skips, when tshark is missing)."""
    binary = shutil.which("tshark")
    assert binary, "tshark is required for these tests (apt-get install tshark)"
    args = [binary, "-r", str(PCAPS / capture), "-Y", display_filter, "-T", "fields"]
    for field in fields:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


@cache
def facts(capture: str, names: tuple[str, ...]) -> FactSet:
    return analyze(PCAPS / capture, list(names))


def rows(capture: str, table: str) -> list[dict]:
    return list(facts(capture, (table.split(".", maxsplit=1)[0],)).tables[table])


def test_ftp_commands_and_replies() -> None:
    capture = "cs_ftp_tickedoffdeveloper.pcapng"
    mine = rows(capture, "ftp.commands")
    theirs = tshark(capture, "ftp.request.command", "frame.number", "ftp.request.command",
                    "ftp.request.arg")
    assert [(r["frame"], r["command"], r["argument"]) for r in mine] == [
        (int(f), c.upper(), a) for f, c, a in theirs]
    replies = {int(f): int(c) for f, c in tshark(capture, "ftp.response.code", "frame.number",
                                                 "ftp.response.code")}
    for row in mine:
        assert replies[row["reply_frame"]] == row["reply_code"]
    assert ("PASS", "p@ssw0rd", 230) in {(r["command"], r["argument"], r["reply_code"])
                                         for r in mine}


def test_ftp_transfers_and_data_ports() -> None:
    capture = "cs_ftp_tickedoffdeveloper.pcapng"
    mine = rows(capture, "ftp.transfers")
    stor = tshark(capture, 'ftp.request.command == "STOR" || ftp.request.command == "LIST"',
                  "frame.number", "ftp.request.command", "ftp.request.arg")
    assert [(r["frame"], r["command"], r["filename"]) for r in mine] == [
        (int(f), c, a) for f, c, a in stor]
    passive = [int(p) for _f, p in tshark(capture, "ftp.response.code == 227",
                                          "frame.number", "ftp.passive.port")]
    assert [r["data_port"] for r in mine] == passive[-len(mine):]
    upload = next(r for r in mine if r["command"] == "STOR")
    assert (upload["filename"], upload["data_port"], upload["directory"], upload["status"]) == (
        "store4829-03222010.csv", 49166, "/backup", 226)


def test_smtp_envelopes_and_messages() -> None:
    capture = "zeek_smtp.pcap"
    commands = tshark(capture, "smtp.req.command", "frame.number", "smtp.req.command",
                      "smtp.req.parameter")
    senders = [p.split("<")[1].rstrip(">") for _f, c, p in commands if c == "MAIL"]
    recipients = [p.split("<")[1].rstrip(">") for _f, c, p in commands if c == "RCPT"]
    envelopes = rows(capture, "smtp.envelopes")
    assert [e["mail_from"] for e in envelopes] == senders
    assert [r for e in envelopes for r in e["rcpt_to"].split(",")] == recipients
    assert [e["frame"] for e in envelopes] == [int(f) for f, c, _p in commands if c == "MAIL"]
    messages = rows(capture, "smtp.messages")
    imf = tshark(capture, "imf", "frame.number", "imf.subject", "imf.message_id")
    assert [(m["frame"], m["subject"], m["message_id"]) for m in messages] == [
        (int(f), s, i) for f, s, i in imf]


def test_ssh_banners() -> None:
    capture = "zeek_ssh_guess.pcap"
    by_stream: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for frame, stream, banner in tshark(capture, "ssh.protocol", "frame.number", "tcp.stream",
                                        "ssh.protocol"):
        by_stream[stream].append((int(frame), banner))
    theirs = sorted((pairs[0][0], pairs[0][1], pairs[1][1]) for pairs in by_stream.values())
    mine = rows(capture, "ssh.banners")
    assert [(r["frame"], r["client_banner"], r["server_banner"]) for r in mine] == theirs
    assert {r["server_software"] for r in mine} == {"OpenSSH_6.7p1"}


@pytest.mark.parametrize("capture", ["zeek_http_vlan.pcap", "zeek_icmp_dot1q.pcap"])
def test_vlan_ids(capture: str) -> None:
    theirs = tshark(capture, "vlan", "frame.number", "vlan.id", "vlan.priority")
    mine = rows(capture, "vlan.frames")
    assert [(r["frame"], r["vlan"], r["priority"]) for r in mine] == [
        (int(f), int(v.split(",")[0]), int(p.split(",")[0])) for f, v, p in theirs]
    ids = rows(capture, "vlan.ids")
    assert [r["vlan"] for r in ids] == sorted({int(v.split(",")[0]) for _f, v, _p in theirs})


@pytest.mark.parametrize("capture", ["cs_synscan.pcapng", "cs_http_dvwa_clearlogin.pcapng"])
def test_tcp_flags_ttl_window_per_packet(capture: str) -> None:
    theirs = tshark(capture, "tcp", "frame.number", "tcp.flags", "ip.ttl",
                    "tcp.window_size_value", "tcp.len")
    mine = rows(capture, "packets.tcp")
    assert [(r["frame"], r["flags"], r["ttl"], r["window"], r["length"]) for r in mine] == [
        (int(f), flags_text(int(fl, 16)), int(t), int(w), int(n)) for f, fl, t, w, n in theirs]


def test_syn_only_frames_are_a_query() -> None:
    capture = "cs_synscan.pcapng"
    theirs = [int(f) for (f,) in tshark(capture, "tcp.flags == 0x002", "frame.number")]
    mine = [r["frame"] for r in rows(capture, "packets.tcp") if r["flags"] == "SYN"]
    assert mine == theirs and len(theirs) > 1000


@pytest.mark.parametrize("capture", ["cs_synscan.pcapng", "zeek_http_vlan.pcap"])
def test_ttl_and_syn_window_fingerprints(capture: str) -> None:
    first_syn: dict[str, tuple[int, int, int]] = {}
    for src, ttl, window, mss in tshark(capture, "tcp.flags.syn == 1", "ip.src", "ip.ttl",
                                        "tcp.window_size_value", "tcp.options.mss_val"):
        first_syn.setdefault(src, (int(ttl), int(window), int(mss or -1)))
    mine = {r["ip"]: (r["syn_ttl"], r["syn_window"], r["syn_mss"])
            for r in rows(capture, "fingerprints.hosts") if r["syn_ttl"] >= 0}
    assert mine == first_syn
    ttls: dict[str, set[int]] = defaultdict(set)
    for src, ttl in tshark(capture, "ip", "ip.src", "ip.ttl"):
        ttls[src].add(int(ttl))
    assert {r["ip"]: set(map(int, r["ttls"].split(","))) for r in
            rows(capture, "fingerprints.hosts")} == ttls


@pytest.mark.parametrize("capture", ["cs_dhcp_nolease_initialization.pcapng", "ndpi_android.pcap"])
def test_dhcp_options(capture: str) -> None:
    theirs = tshark(capture, "dhcp", "frame.number", "dhcp.option.hostname",
                    "dhcp.option.requested_ip_address", "dhcp.option.vendor_class_id")
    messages = rows(capture, "dhcp.messages")
    assert [(m["frame"], m["hostname"], m["requested_ip"], m["vendor_class"])
            for m in messages] == [(int(f), h, r, v) for f, h, r, v in theirs]
    options = rows(capture, "dhcp.options")
    named = {(o["frame"], o["value"]) for o in options if o["name"] == "hostname"}
    assert named == {(int(f), h) for f, h, _r, _v in theirs if h}


@pytest.mark.parametrize("capture", ["cs_ftp_tickedoffdeveloper.pcapng", "zeek_smtp.pcap"])
def test_stream_text_is_the_reassembled_payload(capture: str) -> None:
    mine = rows(capture, "streams.text")
    assert mine
    for row in mine:
        sent: dict[str, bytearray] = defaultdict(bytearray)
        for src, seq, payload in tshark(capture, f"tcp.stream == {row['stream']} && tcp.len > 0",
                                        "ip.src", "tcp.seq", "tcp.payload"):
            data, at = bytes.fromhex(payload.replace(":", "")), int(seq) - 1  # relative seq
            side = sent[src]
            if at + len(data) > len(side):  # first copy wins, as in Wireshark
                side[len(side):] = data[len(side) - at:]
        assert row["client_bytes"] == len(sent[row["client"]])
        assert row["server_bytes"] == len(sent[row["server"]])
        assert row["client_text"] == printable(sent[row["client"]][: len(row["client_text"])])
        assert row["server_text"] == printable(sent[row["server"]][: len(row["server_text"])])


def test_traceroute_path_query_matches_tshark(tmp_path: Path) -> None:
    from runner.evidence.query import resolve_query

    capture = "cs_icmp_traceroute.pcapng"
    hops = [src.split(",")[0] for (src,) in tshark(capture, "icmp.type == 11", "ip.src")]
    query = {"from": "icmp.messages", "where": {"type_name": "time-exceeded"}, "sort": "frame",
             "select": "src"}
    resolved = resolve_query(query, PCAPS / capture, cache_dir=tmp_path)
    assert list(resolved.values) == list(dict.fromkeys(hops)) and len(resolved.values) == 8


def test_ndp_claims_of_a_real_phone() -> None:
    """ndpi_android.pcap: duplicate address detection (from ::) claims nothing; the router
    solicitation's source link-layer option claims the phone's link-local address."""
    capture = "ndpi_android.pcap"
    found = tshark(capture, "icmpv6.type >= 133 && icmpv6.type <= 136 && icmpv6.opt.linkaddr "
                   "&& ipv6.src != ::", "ipv6.src", "icmpv6.opt.linkaddr")
    theirs = {(src, mac) for src, mac in found}
    mine = rows(capture, "ndp.claims")
    assert {(r["ip"], r["mac"]) for r in mine} == theirs == {
        ("fe80::4e6a:f6ff:fe9f:f627", "4c:6a:f6:9f:f6:27")}
    assert rows(capture, "ndp.conflicts") == []
