"""Background traffic of dual-stack and IPv6-only hosts: AAAA lookups, HTTP and TLS over
IPv6, neighbour discovery where IPv4 has ARP; tshark (checksums validated) finds nothing
malformed and reads what dflab's analyzers read."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from capture_tools import Make, tshark, tshark_fields

from runner.evidence.engine import analyze

HOSTS = {"victim": {"ip": "{{victim_ip}}", "ip6": "2001:db8:10::{{n}}", "os": "windows"},
         "phone": {"ip": "2001:db8:10::77", "os": "android"},
         "gw": {"ip": "{{gw_ip}}", "ip6": "2001:db8:10::1", "os": "router"},
         "attacker": {"ip": "{{attacker_ip}}", "os": "linux"}}
SITES = ["intranet.corp.test", "news.example.org", "cdn.example.net"]
CHECKED = ("-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o",
           "udp.check_checksum:TRUE")
BAD = ("_ws.malformed || _ws.expert.severity >= warning || ip.checksum.status==0 || "
       "tcp.checksum.status==0 || udp.checksum.status==0 || icmpv6.checksum.status==0")


def dual_stack(make: Make, seed: int = 1) -> tuple[Path, dict[str, Any]]:
    variant = make([], seed, hosts=HOSTS, gateway="gw", lan="10.0.0.0/8", background={
        "volume": 1500, "sites": SITES, "clients": ["victim", "phone"]})
    capture: Path = variant.files["net"]
    assert tshark(capture, *CHECKED, "-Y", BAD) == ""
    return capture, variant.values


def values(capture: Path, display_filter: str, field: str) -> set[str]:
    return {v for row in tshark_fields(capture, display_filter, field) for v in row[0].split(",")
            if v}


def test_dual_stack_and_ipv6_only_hosts_browse_over_ipv6(make: Make) -> None:
    capture, story = dual_stack(make)
    victim, phone, gw = story["victim"], story["phone"], story["gw"]
    web6 = values(capture, "ipv6 && (http.request || tls.handshake.type == 1)", "ipv6.src")
    assert web6 == {victim["ip6"], phone["ip"]}
    assert values(capture, "ip && http.request", "ip.src") == {victim["ip"]}
    assert values(capture, "ipv6 && tls.handshake.type == 1",
                  "tls.handshake.extensions_server_name") <= set(SITES)
    # every IPv6 web server was first looked up as AAAA, and sits behind the gateway's MAC
    servers = values(capture, "ipv6 && tcp.flags.syn == 1 && tcp.flags.ack == 0", "ipv6.dst")
    answered = values(capture, "dns.flags.response == 1 && dns.qry.type == 28", "dns.aaaa")
    assert servers and servers <= answered
    assert all(not ipaddress.IPv6Address(a).is_private for a in servers)
    assert values(capture, "ipv6 && tcp.flags.syn == 1 && tcp.flags.ack == 1", "eth.src") \
        == {gw["mac"]}
    # the dual-stack victim asks its IPv4 resolver; the IPv6-only phone asks over IPv6
    assert values(capture, "dns.qry.type == 28 && dns.flags.response == 0", "ip.src") \
        == {victim["ip"]}
    assert values(capture, "dns.qry.type == 28 && dns.flags.response == 0", "ipv6.src") \
        == {phone["ip"]}
    # neighbour discovery for the router instead of ARP, never ARP from the phone
    assert values(capture, "icmpv6.type == 135", "icmpv6.nd.ns.target_address") == {gw["ip6"]}
    assert values(capture, "icmpv6.type == 135", "eth.dst") == {"33:33:ff:00:00:01"}
    assert values(capture, "icmpv6.type == 136 && icmpv6.nd.na.flag.r == 1 && "
                  "icmpv6.nd.na.flag.s == 1", "icmpv6.opt.linkaddr") == {gw["mac"]}
    assert phone["mac"] not in values(capture, "arp", "arp.src.hw_mac")
    assert values(capture, "dhcp", "dhcp.hw.mac_addr") == {victim["mac"]}
    # dflab's DNS analyzer reads the same AAAA answers
    facts = analyze(capture, ["dns"])
    assert {r["data"] for r in facts.tables["dns.answers"] if r["type"] == "AAAA"} == answered
    assert {r["src"] for r in facts.tables["dns.queries"] if r["type"] == "AAAA"} \
        == {victim["ip"], phone["ip"]}


def test_ipv6_background_is_the_same_for_the_same_seed(make: Make) -> None:
    one, _ = dual_stack(make, 4)
    two, _ = dual_stack(make, 4)
    other, _ = dual_stack(make, 5)
    assert one.read_bytes() == two.read_bytes() != other.read_bytes()
