"""A story embedded into real captures: every address the real frames carry (IPv4 and IPv6
headers, neighbour discovery, DHCP and DHCPv6 fields, DNS answers) is rewritten
consistently, tshark finds no malformed frame and no bad checksum with checksum
validation on, none of the real LAN's addresses is left, and dflab's analyzers read the
same values as tshark."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
from capture_tools import Make, tshark, tshark_fields
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6
from scapy.layers.l2 import Ether

from runner.evidence.craft import LINKTYPE_ETHERNET, write_pcap
from runner.evidence.engine import analyze
from runner.evidence.reader import iter_records
from runner.generate.embed import _load
from runner.generate.wire.readdress import AddressMap, eui64, rewrite

PCAPS = Path(__file__).resolve().parents[2] / "pcaps"
CHECKED = ("-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o",
           "udp.check_checksum:TRUE")
BAD = ("_ws.malformed || ip.checksum.status==0 || tcp.checksum.status==0 || "
       "udp.checksum.status==0 || icmp.checksum.status==0 || icmpv6.checksum.status==0")
DUAL_STACK = {"victim": {"ip": "{{victim_ip}}", "ip6": "2001:db8:10::{{n}}", "os": "android",
                         "name": "phone-{{n}}"},
              "server": {"ip": "{{server_ip}}", "ip6": "2001:db8:10::443", "os": "linux"},
              "attacker": {"ip": "{{attacker_ip}}", "os": "linux"}}
DOWNLOAD = {"type": "http-transfer", "id": "dl", "at": 20, "client": "victim",
            "server": "server", "payload": {"name": "update.apk", "size": 20_000}}


def embedded(make: Make, real: str, seed: int = 1, **extra: Any) -> tuple[Path, dict[str, Any]]:
    variant = make([DOWNLOAD], seed, hosts=DUAL_STACK, embed_into="real.pcap",
                   embed_hosts=["victim"], files={"real.pcap": (PCAPS / real).read_bytes()},
                   **extra)
    capture: Path = variant.files["net"]
    assert tshark(capture, *CHECKED, "-Y", BAD) == ""
    return capture, variant.values


def column(capture: Path, display_filter: str, name: str) -> set[str]:
    return {v for row in tshark_fields(capture, display_filter, name) for v in row[0].split(",")
            if v}


def headers_and_addressing(capture: Path) -> str:
    """tshark's detail of every layer that carries addresses dflab rewrites (application
    text, such as an HTTP Host header naming an address, is not: see docs/stories.md)."""
    return tshark(capture, "-V", "-O", "eth,arp,ip,ipv6,icmp,icmpv6,tcp,udp,dns,mdns,llmnr,"
                  "dhcp,dhcpv6")


def rows(capture: Path, table: str) -> list[dict[str, Any]]:
    return [dict(r) for r in analyze(capture, [table.split(".", maxsplit=1)[0]]).tables[table]]


def test_a_phone_capture_takes_the_story_hosts_addresses_everywhere(make: Make) -> None:
    """ndpi_android.pcap: DHCP (DISCOVER/OFFER/REQUEST/ACK), ARP, IPv6 link-local neighbour
    and router solicitation, MLDv2 and DHCPv6 from the phone the victim takes over."""
    capture, values = embedded(make, "ndpi_android.pcap")
    victim, mac = values["victim"]["ip"], values["victim"]["mac"]
    gateway = str(ipaddress.ip_network(f"{victim}/24", strict=False).network_address + 1)
    link_local = str(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6)
                                           + eui64(bytes.fromhex(mac.replace(":", "")))))
    assert column(capture, "dhcp", "dhcp.hw.mac_addr") >= {mac}
    assert column(capture, "dhcp.option.dhcp == 5", "dhcp.ip.your") == {victim}
    assert column(capture, "dhcp.option.dhcp == 3", "dhcp.option.requested_ip_address") \
        == {victim}
    for option in ("dhcp_server_id", "router", "domain_name_server"):
        assert column(capture, "dhcp.option.dhcp == 5", f"dhcp.option.{option}") == {gateway}
    # chaddr and the client identifier (option 61) both name the new MAC
    assert {tuple(r[0].split(",")) for r in tshark_fields(capture, "dhcp.option.dhcp == 3",
                                                          "dhcp.hw.mac_addr")} == {(mac, mac)}
    assert column(capture, "icmpv6.type == 135", "icmpv6.nd.ns.target_address") == {link_local}
    solicited = "ff02::1:ff" + link_local[-7:]
    assert column(capture, "icmpv6.type == 135", "ipv6.dst") == {solicited}
    assert column(capture, "icmpv6.type == 135", "eth.dst") == {"33:33:ff" + mac[8:]}
    assert column(capture, "icmpv6.type == 133", "icmpv6.opt.linkaddr") == {mac}
    assert column(capture, "icmpv6.mldr.mar.multicast_address", "icmpv6.mldr.mar"
                  ".multicast_address") >= {solicited}
    assert column(capture, "dhcpv6", "ipv6.src") == {link_local}
    assert column(capture, "dhcpv6", "dhcpv6.duidllt.link_layer_addr") == {mac}
    # nothing of the real phone or its LAN is left, in any field tshark decodes
    text = headers_and_addressing(capture)
    for real in ("4c:6a:f6:9f:f6:27", "fe80::4e6a:f6ff:fe9f:f627", "ff02::1:ff9f:f627",
                 "192.168.2."):
        assert real not in text
    # dflab's analyzers read the same lease and claims
    [lease] = rows(capture, "dhcp.leases")
    assert (lease["address"], lease["client_mac"], lease["server"]) == (victim, mac, gateway)
    claims = {(r["ip"], r["mac"]) for r in rows(capture, "arp.claims")}
    assert claims == {(ip, hw) for ip, hw in tshark_fields(capture, "arp", "arp.src.proto_ipv4",
                                                           "arp.src.hw_mac")}
    assert (victim, mac) in claims


def test_the_real_lans_ipv6_prefix_and_host_move_onto_the_storys(make: Make) -> None:
    """cs_http_ip4and6.pcapng: one HTTP GET over IPv4 and one over IPv6 (2001:db8:1:2::/64);
    the victim takes over the busier host, IPv4 and IPv6, and the other keeps its
    interface id under the story's /64."""
    capture, values = embedded(make, "cs_http_ip4and6.pcapng")
    victim = values["victim"]
    v6 = column(capture, "ipv6", "ipv6.src") | column(capture, "ipv6", "ipv6.dst")
    assert victim["ip6"] in v6
    assert all(ipaddress.IPv6Address(a) in ipaddress.ip_network("2001:db8:10::/64")
               for a in v6)
    assert len(v6) == 2
    text = headers_and_addressing(capture)
    assert "2001:db8:1:2::" not in text and "172.16.16." not in text
    endpoints = {r["address"]: r["packets"] for r in rows(capture, "endpoints.ip")}
    for address in v6:  # dflab counts the same packets per address as tshark
        assert endpoints[address] == len(tshark_fields(capture, f"ipv6.addr == {address}",
                                                       "frame.number"))


def test_dns_answers_name_the_renumbered_server(make: Make) -> None:
    """cs_dns_axfr.pcapng: a zone transfer over TCP whose A records name the LAN's DNS
    server; the records follow the server's new address, as tshark and dflab read them."""
    capture, values = embedded(make, "cs_dns_axfr.pcapng")
    answers = column(capture, "dns.a", "dns.a")
    server = column(capture, "tcp.srcport == 53", "ip.src")
    assert answers == server and len(server) == 1
    assert ipaddress.ip_address(server.pop()) in ipaddress.ip_network(
        f"{values['victim']['ip']}/24", strict=False)
    found = {r["data"] for r in rows(capture, "dns.answers") if r["type"] == "A"}
    assert found == answers
    assert "172.16.16." not in headers_and_addressing(capture)


def test_the_same_seed_gives_the_same_bytes(make: Make) -> None:
    first, _ = embedded(make, "ndpi_android.pcap", seed=7)
    second, _ = embedded(make, "ndpi_android.pcap", seed=7)
    other, _ = embedded(make, "ndpi_android.pcap", seed=8)
    assert first.read_bytes() == second.read_bytes() != other.read_bytes()


def _amap() -> AddressMap:
    return AddressMap(v4={IP_A: IP_B, GW_A: GW_B}, macs={MAC_A: MAC_B},
                      real64=bytes.fromhex("20010db800010002"),
                      story64=bytes.fromhex("20010db800100000"))


IP_A, IP_B = bytes([192, 168, 2, 16]), bytes([10, 9, 8, 16])
GW_A, GW_B = bytes([192, 168, 2, 1]), bytes([10, 9, 8, 1])
MAC_A, MAC_B = bytes.fromhex("4c6af69ff627"), bytes.fromhex("dca632010203")


def _same_as_scapy_builds(frame: bytes) -> Ether:
    """The rewritten frame equals scapy's build of it with every checksum recomputed."""
    parsed = Ether(frame)
    for layer in parsed.iterpayloads():
        for name in ("chksum", "cksum"):
            if name in layer.fields:
                delattr(layer, name)
    assert bytes(parsed) == frame
    return Ether(frame)


def test_payload_addresses_match_scapys_reading_and_checksums_its_build() -> None:
    amap = _amap()
    dhcp = (Ether(src="4c:6a:f6:9f:f6:27", dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0",
            dst="255.255.255.255") / UDP(sport=68, dport=67)
            / BOOTP(chaddr=MAC_A, ciaddr="192.168.2.16")
            / DHCP(options=[("message-type", "request"), ("client_id", b"\x01" + MAC_A),
                            ("requested_addr", "192.168.2.16"), ("server_id", "192.168.2.1"),
                            "end"]))
    out = _same_as_scapy_builds(rewrite(bytes(dhcp), amap))
    assert out[Ether].src == "dc:a6:32:01:02:03" and out[BOOTP].chaddr[:6] == MAC_B
    assert out[BOOTP].ciaddr == "10.9.8.16"
    options = dict(o for o in out[DHCP].options if isinstance(o, tuple))
    assert (options["requested_addr"], options["server_id"], options["client_id"]) \
        == ("10.9.8.16", "10.9.8.1", b"\x01" + MAC_B)
    lan6 = "2001:db8:1:2:4e6a:f6ff:fe9f:f627"  # EUI-64 of the real MAC
    answer = (Ether() / IPv6(src="2001:db8:1:2::53", dst=lan6) / UDP(sport=53, dport=40000)
              / DNS(qr=1, qd=DNSQR(qname="nas.lan", qtype="AAAA"),
                    an=[DNSRR(rrname="nas.lan", type="AAAA", rdata=lan6),
                        DNSRR(rrname="nas.lan", type="A", rdata="192.168.2.16")]))
    out = _same_as_scapy_builds(rewrite(bytes(answer), amap))
    moved = "2001:db8:10:0:dea6:32ff:fe01:203"  # the new /64 and the new MAC's EUI-64
    assert out[IPv6].dst == moved and out[IPv6].src == "2001:db8:10::53"
    assert [r.rdata for r in out[DNS].an] == [moved, "10.9.8.16"]
    solicit = (Ether(src="4c:6a:f6:9f:f6:27", dst="33:33:ff:9f:f6:27")
               / IPv6(src="::", dst="ff02::1:ff9f:f627")
               / ICMPv6ND_NS(tgt="fe80::4e6a:f6ff:fe9f:f627")
               / ICMPv6NDOptSrcLLAddr(lladdr="4c:6a:f6:9f:f6:27"))
    out = _same_as_scapy_builds(rewrite(bytes(solicit), amap))
    assert (out[ICMPv6ND_NS].tgt, out[IPv6].dst, out[Ether].dst, out[ICMPv6NDOptSrcLLAddr]
            .lladdr) == ("fe80::dea6:32ff:fe01:203", "ff02::1:ff01:203", "33:33:ff:01:02:03",
                         "dc:a6:32:01:02:03")
    quoted = (Ether() / IP(src="192.168.2.1", dst="192.168.2.16") / ICMP(type=3, code=3)
              / IP(src="192.168.2.16", dst="192.168.2.1") / UDP(sport=5000, dport=53))
    out = _same_as_scapy_builds(rewrite(bytes(quoted), amap))
    assert (out[IP].src, out[ICMP].payload.src, out[ICMP].payload.dst) \
        == ("10.9.8.1", "10.9.8.16", "10.9.8.1")


def test_a_frame_cut_by_the_snap_length_keeps_a_checksum_right_for_the_whole() -> None:
    """Only part of the payload is captured: the checksum is patched for the edited
    header, so it is still the one the whole datagram would have."""
    amap = _amap()
    whole = bytes(Ether() / IP(src="192.168.2.16", dst="8.8.8.8") / UDP(sport=999, dport=80)
                  / (b"x" * 400))
    cut = rewrite(whole[:60], amap)
    assert cut == rewrite(whole, amap)[:60]
    _same_as_scapy_builds(rewrite(whole, amap))


# embed_into takes Ethernet captures (the others are refused: tests/generate/test_events.py)
REAL = sorted(p.name for p in PCAPS.glob("*.pcap*")
              if next(iter_records(p))[1] == LINKTYPE_ETHERNET)


@pytest.mark.parametrize("name", REAL)
def test_every_shipped_capture_survives_renumbering(tmp_path: Path, name: str) -> None:
    """Each real capture (VLAN tags, fragments, ICMP errors quoting packets, truncated
    frames, offloaded checksums) with every sender renumbered and its MAC replaced: tshark
    marks no frame malformed that was not already, finds no bad checksum the original did
    not have, and no IPv4 or ARP header names an old address any more."""
    background = _load(PCAPS / name, 0, 0)
    senders = sorted(background.macs)  # every IPv4 source, public ones too
    amap = AddressMap(v4={ipaddress.IPv4Address(a).packed: bytes([10, 99, i // 250, 1 + i % 250])
                          for i, a in enumerate(senders)},
                      macs={mac: bytes([2, 0, 0, 0, i // 256, i % 256]) for i, mac in enumerate(
                          sorted(set(background.macs.values())))},
                      real64=background.local64, story64=bytes.fromhex("20010db800990000"))
    out = tmp_path / "renumbered.pcap"
    out.write_bytes(write_pcap([(ts, rewrite(data, amap)) for ts, data in background.frames]))
    ordered = tmp_path / "original.pcap"  # the same frame order as the rewritten file
    ordered.write_bytes(write_pcap(background.frames))

    def flagged(capture: Path) -> set[str]:
        return set(tshark(capture, *CHECKED, "-Y", BAD, "-T", "fields", "-e",
                          "frame.number").split())

    assert flagged(out) <= flagged(ordered)  # malformed frames are flagged too
    headers = {v for row in tshark_fields(out, "ip || arp", "ip.src", "ip.dst",
                                          "arp.src.proto_ipv4", "arp.dst.proto_ipv4")
               for field in row for v in field.split(",") if v}
    assert senders and headers and not headers & set(senders)
