"""Encapsulations are decoded (PPPoE in QinQ, MPLS, Prism 802.11) or reported with a count.

Crafted with scapy (no public capture of these layers is shipped) and checked against
tshark on the same file.
"""

from __future__ import annotations

from pathlib import Path

from scapy.contrib.mpls import MPLS
from scapy.layers.dot11 import Dot11, Dot11Beacon, Dot11Elt, PrismHeader
from scapy.layers.eap import EAPOL, EAPOL_KEY
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import LLC, SNAP, Dot1AD, Dot1Q, Ether
from scapy.layers.ppp import PPP, PPPoE
from scapy.packet import Raw

from runner.evidence.engine import analyze
from tests.evidence.tshark import tshark_fields, write


def _endpoints(path: Path) -> list[str]:
    return sorted(str(r["address"]) for r in analyze(path, ["endpoints"]).tables["endpoints.ip"])


def _tshark_endpoints(path: Path) -> list[str]:
    rows = tshark_fields(path, "ip", "ip.src", "ip.dst")
    return sorted({a for row in rows for a in row})


def test_pppoe_inside_qinq_is_decoded_like_tshark(tmp_path: Path) -> None:
    qinq = Ether() / Dot1AD(vlan=100) / Dot1Q(vlan=200, type=0x8864)
    frames = [
        qinq
        / PPPoE(sessionid=7)
        / PPP(proto=0x0021)
        / IP(src=f"10.9.0.{i}", dst="10.9.0.254")
        / TCP(sport=40000 + i, dport=80, flags="S")
        for i in range(1, 4)
    ]
    path = write(tmp_path / "qinq.pcap", frames)
    assert _endpoints(path) == _tshark_endpoints(path) == [
        "10.9.0.1", "10.9.0.2", "10.9.0.254", "10.9.0.3"
    ]  # fmt: skip
    facts = analyze(path, ["conversations"])
    assert len(facts.tables["conversations.tcp"]) == 3
    assert facts.warnings == []


def test_mpls_label_stack_is_decoded_like_tshark(tmp_path: Path) -> None:
    frames = [
        Ether(type=0x8847) / MPLS(label=16, s=0) / MPLS(label=17, s=1)
        / IP(src="192.0.2.1", dst="198.51.100.2") / UDP(sport=5000, dport=53) / Raw(b"x" * 12),
        Ether(type=0x8847) / MPLS(label=99, s=1) / IP(src="192.0.2.3", dst="198.51.100.2")
        / UDP(sport=5001, dport=53) / Raw(b"x" * 12),
    ]  # fmt: skip
    path = write(tmp_path / "mpls.pcap", frames)
    assert _endpoints(path) == _tshark_endpoints(path)
    assert _endpoints(path) == ["192.0.2.1", "192.0.2.3", "198.51.100.2"]


def test_prism_header_gives_ssid_and_eapol_like_tshark(tmp_path: Path) -> None:
    ap, sta = "00:0c:41:82:b2:55", "00:0d:93:82:36:3a"
    beacon = (
        PrismHeader() / Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2=ap, addr3=ap)
        / Dot11Beacon() / Dot11Elt(ID=0, info=b"Coherer") / Dot11Elt(ID=3, info=b"\x06")
    )  # fmt: skip
    key = EAPOL(version=1, type=3) / EAPOL_KEY(key_descriptor_type=2, key_ack=1, has_key_mic=0)
    eapol = (
        PrismHeader()
        / Dot11(type=2, subtype=0, FCfield=2, addr1=sta, addr2=ap, addr3=ap)
        / LLC() / SNAP(code=0x888E) / key
    )  # fmt: skip
    path = write(tmp_path / "prism.pcap", [beacon, eapol])
    facts = analyze(path, ["wifi"])
    ssids = [(r["ssid"], r["bssid"], r["channel"]) for r in facts.tables["wifi.ssids"]]
    assert ssids == [("Coherer", ap, 6)]
    ssid_hex = b"Coherer".hex()  # tshark 4.0 prints the SSID field as hex
    assert tshark_fields(path, "wlan.fc.type_subtype == 8", "wlan.ssid", "wlan.bssid") == [
        [ssid_hex, ap]
    ]
    assert [r["message"] for r in facts.tables["wifi.eapol"]] == [1]
    assert tshark_fields(path, "eapol", "frame.number", "wlan_rsna_eapol.keydes.msgnr") == [
        ["2", "1"]
    ]


def test_layers_not_decoded_are_reported_with_a_count(tmp_path: Path) -> None:
    lldp = [Ether(dst="01:80:c2:00:00:0e", type=0x88CC) / Raw(b"\x02\x07" + b"\x00" * 7)] * 3
    pppoe_lcp = Ether() / PPPoE(sessionid=1) / PPP(proto=0xC021) / Raw(b"\x01\x01\x00\x04")
    path = write(tmp_path / "other.pcap", [*lldp, pppoe_lcp])
    warnings = analyze(path).warnings
    assert "3 frame(s) with ether type 0x88cc not decoded; skipped" in warnings
    assert any(w.startswith("1 frame(s) with ether type 0x8864 (PPPoE") for w in warnings)
    assert len(tshark_fields(path, "lldp", "frame.number")) == 3  # what they were


def test_unknown_link_type_is_reported_with_a_count(tmp_path: Path) -> None:
    path = write(tmp_path / "ppp.pcap", [Raw(b"\xff\x03\x00\x21" + b"\x45" + b"\x00" * 30)] * 2,
                 linktype=9)  # fmt: skip
    facts = analyze(path)
    assert facts.warnings == ["2 frame(s) of link type 9 (unsupported) not decoded; skipped"]
    assert facts.packets == len(tshark_fields(path, "", "frame.number")) == 2
