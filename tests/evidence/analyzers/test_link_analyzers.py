"""ARP spoofing, ICMP echo pairing, SYN scans, DHCP leases, and 802.11 management/EAPOL."""

from __future__ import annotations

import socket
import struct

from evidence.conftest import Analyze
from runner.evidence import craft

GATEWAY, VICTIM = "10.0.0.1", "10.0.0.50"
REAL, ATTACKER = "00:00:00:00:00:01", "00:00:00:00:00:66"


def _arp(op: int, sha: str, spa: str, tpa: str) -> bytes:
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + craft.mac(sha) + socket.inet_aton(spa)
    body += bytes(6) + socket.inet_aton(tpa)
    return craft.ether(body, src=sha, dst="ff:ff:ff:ff:ff:ff", etype=0x0806)


def test_arp_conflict_names_the_spoofer(run: Analyze) -> None:
    frames = [
        _arp(2, REAL, GATEWAY, VICTIM),
        _arp(2, ATTACKER, GATEWAY, VICTIM),
        _arp(1, ATTACKER, "10.0.0.66", VICTIM),
    ]
    facts = run(frames, "arp")
    (conflict,) = facts.tables["arp.conflicts"]
    assert (conflict["ip"], conflict["spoofer"], conflict["first_frame"]) == (GATEWAY, ATTACKER, 2)
    (multi,) = facts.tables["arp.multi_ip_macs"]
    assert (multi["mac"], multi["ips"]) == (ATTACKER, f"{GATEWAY},10.0.0.66")


def _icmp(kind: int, seq: int, src: str, dst: str) -> bytes:
    return craft.ether(
        craft.ipv4(struct.pack("!BBHHH", kind, 0, 0, 9, seq) + bytes(8), src=src, dst=dst, proto=1)
    )


def test_icmp_echo_pairs_and_unanswered(run: Analyze) -> None:
    frames = [
        _icmp(8, 1, "10.0.0.1", "8.8.8.8"),
        _icmp(0, 1, "8.8.8.8", "10.0.0.1"),
        _icmp(8, 2, "10.0.0.1", "8.8.8.8"),
    ]
    facts = run(frames, "icmp")
    assert [m["type_name"] for m in facts.tables["icmp.messages"]] == [
        "echo-request",
        "echo-reply",
        "echo-request",
    ]
    echoes = facts.tables["icmp.echoes"]
    assert [(e["seq"], e["answered"], e["reply_frame"]) for e in echoes] == [
        (1, True, 2),
        (2, False, 0),
    ]
    assert echoes[0]["rtt_ms"] == 1.0


def test_syn_scan_finds_open_ports(run: Analyze) -> None:
    scanner, target = "10.0.0.9", "10.0.0.20"
    frames = []
    for port in range(20, 40):
        frames.append(
            craft.ether(
                craft.ipv4(craft.tcp(sport=555, dport=port, flags="S"), src=scanner, dst=target)
            )
        )
        answer = "SA" if port in (22, 25) else "RA"
        frames.append(
            craft.ether(
                craft.ipv4(craft.tcp(sport=port, dport=555, flags=answer), src=target, dst=scanner)
            )
        )
        if answer == "SA":
            frames.append(
                craft.ether(
                    craft.ipv4(craft.tcp(sport=555, dport=port, flags="R"), src=scanner, dst=target)
                )
            )
    facts = run(frames, "scans")
    (scan,) = facts.tables["scans.scans"]
    assert (scan["scanner"], scan["target"], scan["ports_probed"]) == (scanner, target, 20)
    assert (scan["open_ports"], scan["closed_count"], scan["kind"]) == ("22,25", 18, "syn")
    assert [p["port"] for p in facts.tables["scans.open_ports"]] == [22, 25]


def test_few_connections_are_not_a_scan(run: Analyze) -> None:
    frames = [
        craft.ether(craft.ipv4(craft.tcp(sport=1000 + i, dport=443, flags="S"))) for i in range(30)
    ]
    assert run(frames, "scans").tables["scans.scans"] == []


def _dhcp(mtype: int, yiaddr: str, options: bytes) -> bytes:
    op = 2 if mtype in (2, 5) else 1
    msg = struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, 0xABCD, 0, 0, bytes(4),
                      socket.inet_aton(yiaddr), bytes(4), bytes(4))  # fmt: skip
    msg += craft.mac("00:aa:bb:cc:dd:ee") + bytes(10) + bytes(192) + b"\x63\x82\x53\x63"
    msg += bytes([53, 1, mtype]) + options + b"\xff"
    return craft.ether(
        craft.ipv4(
            craft.udp(msg, sport=67, dport=68), src="10.0.0.254", dst="255.255.255.255", proto=17
        )
    )


def test_dhcp_lease(run: Analyze) -> None:
    lease = (
        bytes([54, 4, 10, 0, 0, 254, 51, 4]) + struct.pack("!I", 86400) + bytes([3, 4, 10, 0, 0, 1])
    )
    frames = [_dhcp(3, "0.0.0.0", bytes([12, 3]) + b"pc1"), _dhcp(5, "10.0.0.77", lease)]
    facts = run(frames, "dhcp")
    assert [m["type"] for m in facts.tables["dhcp.messages"]] == ["REQUEST", "ACK"]
    (row,) = facts.tables["dhcp.leases"]
    assert (row["client_mac"], row["address"], row["server"]) == (
        "00:aa:bb:cc:dd:ee",
        "10.0.0.77",
        "10.0.0.254",
    )
    assert (row["lease_time"], row["router"], row["hostname"]) == (86400, "10.0.0.1", "pc1")


def _radiotap(
    fc: int, body: bytes, *, src: str = "02:00:00:00:00:01", dst: str = "ff:ff:ff:ff:ff:ff"
) -> bytes:
    bssid = "02:00:00:00:00:01"
    head = (
        struct.pack("<BBH", fc, 0, 0)
        + craft.mac(dst)
        + craft.mac(src)
        + craft.mac(bssid)
        + b"\x00\x00"
    )
    return struct.pack("<BBHI", 0, 0, 8, 0) + head + body


def test_wifi_beacon_and_deauth_flood(run: Analyze) -> None:
    beacon = _radiotap(0x80, bytes(12) + b"\x00\x07HomeNet" + b"\x03\x01\x06")
    deauth = _radiotap(0xC0, struct.pack("<H", 7), dst="02:00:00:00:00:99")
    facts = run(
        [beacon, beacon, deauth, deauth], "wifi", linktype=craft.LINKTYPE_IEEE802_11_RADIOTAP
    )
    (ssid,) = facts.tables["wifi.ssids"]
    assert (ssid["ssid"], ssid["channel"], ssid["beacons"]) == ("HomeNet", 6, 2)
    deauths = facts.tables["wifi.deauths"]
    assert [(d["kind"], d["reason"], d["dst"]) for d in deauths] == [
        ("deauthentication", 7, "02:00:00:00:00:99")
    ] * 2


def test_eapol_four_way_handshake(run: Analyze) -> None:
    ap, sta = "02:00:00:00:00:01", "02:00:00:00:00:02"
    rsn = b"\x30\x14" + bytes(20)  # message 2 carries the station's RSN element
    infos = [(ap, sta, 0x008A, b""), (sta, ap, 0x010A, rsn), (ap, sta, 0x13CA, b""),
             (sta, ap, 0x030A, b"")]  # fmt: skip
    frames = [
        craft.ether(
            struct.pack("!BBHBH", 2, 3, 95 + len(data), 2, info)
            + bytes(10)
            + (b"\x22" * 32 if data else bytes(32))
            + bytes(48)
            + struct.pack("!H", len(data))
            + data,
            src=src,
            dst=dst,
            etype=0x888E,
        )
        for src, dst, info, data in infos
    ]
    facts = run(frames, "wifi")
    assert [e["message"] for e in facts.tables["wifi.eapol"]] == [1, 2, 3, 4]
    (hs,) = facts.tables["wifi.handshakes"]
    assert (hs["ap"], hs["client"], hs["complete"]) == (ap, sta, True)
