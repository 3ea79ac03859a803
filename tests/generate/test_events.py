"""The capture generator and its event library without reference tools: registries, strict
parameters with one-line errors, determinism, and each event's frames read back with scapy."""

from __future__ import annotations

import hashlib
import textwrap
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from capture_tools import HOSTS, Make
from scapy.layers.dot11 import Dot11, Dot11Beacon, Dot11Deauth
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.utils import rdpcap

import runner.generate.events as events_pkg
from runner.errors import InputError
from runner.generate.events import ALL
from runner.generate.events.registry import EventRegistry, events
from runner.generate.story import load_story
from runner.generate.variant import generate_variant
from runner.generate.wire import dot11
from runner.scenario.problems import ScenarioError

SCAN = {"type": "port-scan", "id": "scan", "at": 1, "scanner": "attacker", "target": "victim",
        "ports": [22, 80, 443, 3389], "open": [80]}


def packets(path: Path) -> list[Any]:
    return list(rdpcap(str(path)))


def test_every_event_module_is_listed() -> None:
    folder = Path(events_pkg.__file__).parent
    helpers = {"__init__", "base", "registry", "payload", "relay"}
    modules = {p.stem for p in folder.glob("*.py")} - helpers
    assert modules == {type(e).__module__.rsplit(".", 1)[-1] for e in ALL}


def test_event_registry_refuses_a_duplicate_type() -> None:
    reg = EventRegistry()
    reg.register(ALL[0])
    with pytest.raises(ValueError, match="registered twice"):
        reg.register(ALL[0])


def test_same_seed_same_bytes_other_seed_other_capture(make: Make) -> None:
    story = [SCAN, {"type": "login", "id": "ftp", "client": "attacker", "server": "server",
                    "protocol": "ftp", "username": "{{user}}", "password": "{{password}}"}]
    one, two, other = make(story, 5, background={"volume": 300}), \
        make(story, 5, background={"volume": 300}), make(story, 6, background={"volume": 300})
    assert one.files["net"].read_bytes() == two.files["net"].read_bytes()
    assert one.values == two.values
    assert one.sha256 != other.sha256
    assert one.values["scan"]["target"] != other.values["scan"]["target"]


def test_port_scan_values_and_frames(make: Make) -> None:
    variant = make([SCAN])
    scan = variant.values["scan"]
    frames = packets(variant.files["net"])
    syns = [p for p in frames if p[TCP].flags == "S"]
    assert sorted(p[TCP].dport for p in syns) == scan["ports"] == [22, 80, 443, 3389]
    assert all(p[IP].src == scan["scanner"] and p[TCP].window == 1024 for p in syns)
    assert [p[TCP].sport for p in frames if p[TCP].flags == "SA"] == [80]
    assert scan["packets"] == len(frames) == 4 + 1 + 1 + 3  # probes, SYN/ACK, RST, closed
    assert scan["first_frame"] == 1 and scan["last_frame"] == len(frames)
    assert scan["first_time"].startswith("2026-03-02T09:00:01")


def test_ping_sweep_over_a_block(make: Make) -> None:
    variant = make([{"type": "ping-sweep", "id": "sweep", "scanner": "attacker",
                     "network": "192.0.2.0/29", "alive": ["192.0.2.3"]}])
    frames = packets(variant.files["net"])
    requests = [p for p in frames if p[ICMP].type == 8]
    assert [p[IP].dst for p in requests] == [f"192.0.2.{i}" for i in range(1, 7)]
    assert [p[IP].src for p in frames if p[ICMP].type == 0] == ["192.0.2.3"]
    assert variant.values["sweep"]["alive_count"] == 1


def test_login_brute_force_counts(make: Make) -> None:
    variant = make([{"type": "login", "id": "pop", "client": "attacker", "server": "server",
                     "protocol": "pop3", "username": "bob", "password": "pw1",
                     "guesses": ["a", "b", "c"], "accepted": False}])
    login = variant.values["pop"]
    assert (login["attempts"], login["failed"], login["port"]) == (4, 4, 110)
    frames = packets(variant.files["net"])
    assert sum(1 for p in frames if p[TCP].flags == "S") == 4
    sent = b"".join(bytes(p[TCP].payload) for p in frames if p[TCP].dport == 110)
    assert sent.count(b"PASS ") == 4 and b"PASS pw1\r\n" in sent


def test_http_download_carries_the_payload(make: Make) -> None:
    variant = make([{"type": "http-transfer", "id": "dl", "client": "victim",
                     "server": "attacker", "payload": {"name": "notes.txt",
                                                       "content": "top secret\n"}}])
    dl = variant.values["dl"]
    assert dl["sha256"] == hashlib.sha256(b"top secret\n").hexdigest()
    stream = b"".join(bytes(p[TCP].payload) for p in packets(variant.files["net"])
                      if p[TCP].sport == 80)
    assert stream.endswith(b"\r\n\r\ntop secret\n")
    assert dl["url"] == "http://files.example.com/files/notes.txt"


def test_dns_tunnel_names_fit_dns_limits(make: Make) -> None:
    variant = make([{"type": "dns-tunnel", "id": "tun", "client": "victim",
                     "resolver": "attacker", "payload": {"name": "x.bin", "size": 5000}}])
    names = [bytes(p[UDP].payload)[12:] for p in packets(variant.files["net"])
             if p[UDP].dport == 53]
    assert len(names) == variant.values["tun"]["queries"]
    for raw in names:
        labels, at = [], 0
        while raw[at]:
            labels.append(raw[at + 1:at + 1 + raw[at]])
            at += 1 + raw[at]
        assert max(map(len, labels)) <= 63 and sum(len(x) + 1 for x in labels) <= 254


def test_beacon_gaps_follow_interval_and_jitter(make: Make) -> None:
    variant = make([{"type": "beacon", "id": "c2", "client": "victim", "server": "attacker",
                     "interval": 10, "jitter": 0.1, "count": 8}], duration=200)
    syns = [float(p.time) for p in packets(variant.files["net"]) if p[TCP].flags == "S"]
    gaps = [b - a for a, b in pairwise(syns)]
    assert len(syns) == 8 and all(9 <= g <= 11 for g in gaps)
    assert abs(variant.values["c2"]["mean_interval"] - sum(gaps) / len(gaps)) < 0.01


def test_arp_spoof_frames(make: Make) -> None:
    variant = make([{"type": "arp-spoof", "id": "mitm", "attacker": "attacker",
                     "victim": "victim", "gateway": "gw", "replies": 3}])
    mitm = variant.values["mitm"]
    frames = packets(variant.files["net"])
    forged = [p for p in frames if ARP in p and p[ARP].op == 2 and p[ARP].hwsrc ==
              mitm["attacker_mac"]]
    assert len(forged) == 6 and {p[ARP].psrc for p in forged} == {mitm["gateway"],
                                                                   mitm["victim"]}
    relayed = [p for p in frames if TCP in p]
    assert len(relayed) == 2 * mitm["relayed_frames"]
    forwarded = [p for p in relayed if p[Ether].src == mitm["attacker_mac"]]
    assert len(forwarded) == mitm["relayed_frames"]
    assert all(p[Ether].dst == mitm["attacker_mac"] for p in relayed if p not in forwarded)


def test_wpa2_key_hierarchy_matches_the_standard_test_vector() -> None:
    # IEEE 802.11i-2004 Annex H.4.1: passphrase "password", SSID "IEEE"
    assert dot11.pmk("password", "IEEE").hex() == (
        "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e")


def test_wifi_events_write_radiotap_frames(make: Make) -> None:
    hosts = {"ap": {"ip": "192.168.8.1", "os": "router"}, "sta": {"ip": "192.168.8.2"}}
    variant = make([{"type": "wifi-beacons", "id": "net", "ap": "ap", "ssid": "Lab", "beacons": 5},
                    {"type": "wifi-deauth", "id": "de", "at": 1, "ap": "ap", "count": 7}],
                   hosts=hosts, link="radiotap")
    frames = packets(variant.files["net"])
    assert sum(1 for p in frames if Dot11Beacon in p) == 5
    deauths = [p for p in frames if Dot11Deauth in p]
    assert len(deauths) == 7 and {p[Dot11].addr1 for p in deauths} == {"ff:ff:ff:ff:ff:ff"}
    assert variant.values["de"]["bssid"] == variant.values["ap"]["mac"]


def _story(tmp_path: Path, capture: str) -> Path:
    path = tmp_path / "story.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        id: bad
        hosts:
          victim: {ip: 10.0.0.5}
          attacker: {ip: 10.0.0.66}
        outputs:
          net:
            kind: capture
        """) + textwrap.indent(textwrap.dedent(capture), "    "), encoding="utf-8")
    return path


@pytest.mark.parametrize(("capture", "message"), [
    ("events:\n  - {type: port-scna, id: s, scanner: attacker, target: victim, ports: [1]}\n",
     "unknown event type 'port-scna'; did you mean 'port-scan'?"),
    ("events:\n  - {type: port-scan, id: s, scanner: attacker, target: victim, portz: [1]}\n",
     "unknown key 'portz'"),
    ("events:\n  - {type: port-scan, id: s, scanner: attacker, target: victim, ports: [1],"
     " open: [2]}\n", "open ports [2] are not in 'ports'"),
    ("duration: 10\nevents:\n  - {type: port-scan, id: s, at: 50, scanner: attacker,"
     " target: victim, ports: [1]}\n", "after the capture's end"),
    ("events:\n  - {type: wifi-deauth, id: d, ap: victim}\n", "needs link: radiotap"),
    ("events:\n  - {type: port-scan, id: s, scanner: attacker, target: victim, ports: [1]}\n"
     "  - {type: port-scan, id: s, scanner: attacker, target: victim, ports: [2]}\n",
     "two events have id 's'"),
    ("embed_hosts: [victim]\n", "'embed_hosts' needs 'embed_into'"),
])
def test_bad_capture_parameters_fail_validation_with_a_line(tmp_path: Path, capture: str,
                                                            message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_story(_story(tmp_path, capture))
    [problem] = caught.value.problems
    assert message in problem.one_line()
    assert problem.line is not None and problem.line >= 7  # the capture output's lines


@pytest.mark.parametrize(("capture", "files", "message"), [
    ("embed_into: missing.pcap\n", {}, "embed_into 'missing.pcap': file not found"),
    ("embed_into: broken.pcap\n", {"broken.pcap": b"\xd4\xc3\xb2\xa1" + b"\x00" * 30},
     "embed_into 'broken.pcap'"),
    ("embed_into: notes.txt\n", {"notes.txt": b"hello, not a capture\n"},
     "embed_into 'notes.txt'"),
    ("events:\n  - {type: http-transfer, id: d, client: victim, server: attacker, "
     "payload: {file: nope.bin}}\n", {}, "payload file 'nope.bin' not found"),
])
def test_missing_or_damaged_files_fail_validation(tmp_path: Path, capture: str,
                                                  files: dict[str, bytes], message: str) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(ScenarioError) as caught:
        load_story(_story(tmp_path, capture))
    [problem] = caught.value.problems
    assert message in problem.one_line() and problem.line == 7 and problem.fix


def test_a_background_file_removed_after_validation_fails_generation(tmp_path: Path) -> None:
    real = Path(__file__).resolve().parents[2] / "pcaps" / "ndpi_android.pcap"
    (tmp_path / "bg.pcap").write_bytes(real.read_bytes())
    story = load_story(_story(tmp_path, "embed_into: bg.pcap\n"))
    (tmp_path / "bg.pcap").unlink()
    with pytest.raises(InputError, match=r"embed_into 'bg\.pcap': file not found"):
        generate_variant(story, 1, tmp_path / "out")


def test_ndp_spoofing_a_host_without_ipv6_is_named(tmp_path: Path) -> None:
    story = load_story(_story(tmp_path, "events:\n  - {type: ndp-spoof, id: n, attacker: "
                              "attacker, victim: victim, gateway: fe80::1}\n"))
    with pytest.raises(InputError, match="event 'n': 'attacker' has no IPv6 address; give "
                                         "the host an 'ip6'"):
        generate_variant(story, 1, tmp_path / "out")


def test_unknown_host_is_named(tmp_path: Path) -> None:
    story = load_story(_story(tmp_path, "events:\n  - {type: port-scan, id: s, scanner: "
                              "atacker, target: victim, ports: [1]}\n"))
    with pytest.raises(InputError, match="'atacker' is neither a host nor an IP address"):
        generate_variant(story, 1, tmp_path / "out")


def test_registry_names_every_event() -> None:
    assert events().names() == sorted(e.type for e in ALL)


ALL_ETHERNET = [
    SCAN,
    {"type": "ping-sweep", "id": "sweep", "scanner": "attacker", "targets": ["victim"],
     "alive": ["victim"]},
    {"type": "login", "id": "tel", "client": "attacker", "server": "server",
     "protocol": "telnet", "username": "{{user}}", "password": "{{password}}"},
    {"type": "ssh-bruteforce", "id": "ssh", "client": "attacker", "server": "server",
     "sessions": 2},
    {"type": "http-transfer", "id": "dl", "client": "victim", "server": "attacker"},
    {"type": "email", "id": "mail", "client": "attacker", "server": "server",
     "attachment": {"name": "a.pdf", "size": 3000}},
    {"type": "dns-lookup", "id": "q", "client": "victim", "resolver": "gw",
     "name": "files.example", "answer": "attacker"},
    {"type": "dns-tunnel", "id": "tun", "client": "victim", "resolver": "attacker"},
    {"type": "beacon", "id": "c2", "client": "victim", "server": "attacker", "count": 2,
     "protocol": "https"},
    {"type": "icmp-tunnel", "id": "icmp", "client": "victim", "server": "attacker"},
    {"type": "tor-tls", "id": "tor", "client": "victim", "count": 1, "cells": 2},
    {"type": "arp-spoof", "id": "mitm", "attacker": "attacker", "victim": "victim",
     "gateway": "gw", "replies": 2},
    {"type": "ndp-spoof", "id": "mitm6", "attacker": "attacker", "victim": "victim",
     "gateway": "fe80::1", "adverts": 2},
]
# ndp-spoof needs IPv6 addresses; dual-stack hosts also browse over IPv6 in the background
DUAL_STACK = {**HOSTS, "victim": {**HOSTS["victim"], "ip6": "2001:db8:10::{{n}}"},
              "attacker": {**HOSTS["attacker"], "ip6": "2001:db8:10::666"}}


def test_every_event_is_byte_identical_for_a_seed(make: Make) -> None:
    """Nothing draws from a global random stream or the clock (MIME boundaries, message
    ids): the same seed gives the same bytes, another seed other bytes."""
    one = make(ALL_ETHERNET, 9, background={"volume": 200}, hosts=DUAL_STACK)
    two = make(ALL_ETHERNET, 9, background={"volume": 200}, hosts=DUAL_STACK)
    assert one.files["net"].read_bytes() == two.files["net"].read_bytes()
    assert one.values == two.values
    assert make(ALL_ETHERNET, 10, background={"volume": 200}, hosts=DUAL_STACK).sha256 \
        != one.sha256
    assert {e["type"] for e in ALL_ETHERNET} == {e.type for e in ALL if e.link == "ethernet"}


def test_a_dns_answer_that_is_no_host_or_address_names_both(make: Make) -> None:
    with pytest.raises(InputError, match="answer 'nosuch' is neither a host nor an IPv4"):
        make([{"type": "dns-lookup", "id": "q", "client": "victim", "resolver": "gw",
               "name": "a.example", "answer": "nosuch"}])


def test_hosts_beyond_the_lan_are_seen_behind_the_gateway(make: Make) -> None:
    variant = make([SCAN, {"type": "login", "id": "ftp", "at": 3, "client": "server",
                           "server": "victim", "protocol": "ftp", "username": "u",
                           "password": "p"}], gateway="gw", lan="10.0.0.0/8")
    values = variant.values
    frames = packets(variant.files["net"])
    from_attacker = [p for p in frames if p[IP].src == values["attacker"]["ip"]]
    assert {p[Ether].src for p in from_attacker} == {values["gw"]["mac"]}
    assert {p[IP].ttl for p in from_attacker} <= set(range(50, 60))
    to_attacker = [p for p in frames if p[IP].dst == values["attacker"]["ip"]]
    assert {p[Ether].dst for p in to_attacker} == {values["gw"]["mac"]}
    on_lan = [p for p in frames if p[IP].src == values["server"]["ip"]]
    assert {p[Ether].src for p in on_lan} == {values["server"]["mac"]}
    assert {p[IP].ttl for p in on_lan} == {64}


def test_lan_without_gateway_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="'lan' needs 'gateway'"):
        load_story(_story(tmp_path, "lan: 10.0.0.0/24\n"))


def test_every_event_and_its_parameters_are_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "stories.md").read_text("utf-8")
    for event in ALL:
        section = docs.split(f"#### `{event.type}`\n", 1)
        assert len(section) == 2, f"docs/stories.md has no section for {event.type}"
        text = section[1].split("####", 1)[0]
        for name in set(event.Params.model_fields) - {"type", "id", "at"}:
            assert f"`{name}`" in text, f"{event.type}: parameter {name} not documented"


def test_embed_hosts_need_local_hosts_in_the_real_capture(tmp_path: Path) -> None:
    real = Path(__file__).resolve().parents[2] / "pcaps" / "zeek_http_vlan.pcap"
    (tmp_path / "public.pcap").write_bytes(real.read_bytes())  # public addresses only
    with pytest.raises(ScenarioError) as caught:
        load_story(_story(tmp_path, "embed_into: public.pcap\nembed_hosts: [victim]\n"))
    assert "has 0 local (private /24) hosts" in caught.value.problems[0].one_line()
    story = load_story(_story(tmp_path, "embed_into: public.pcap\n"))  # nothing to take over
    variant = generate_variant(story, 1, tmp_path / "out")
    # no private LAN to renumber: the real frames are kept byte for byte
    assert [bytes(p) for p in packets(variant.files["net"])] == [bytes(p) for p in packets(real)]
