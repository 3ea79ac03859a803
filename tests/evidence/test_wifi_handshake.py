"""Wi-Fi: message 4 told from message 2 by its zero nonce, EAPOL rows once, short control
frames without warnings. Crafted (scapy, radiotap) and checked against tshark."""

from __future__ import annotations

from pathlib import Path

from scapy.layers.dot11 import Dot11, RadioTap
from scapy.layers.eap import EAPOL, EAPOL_KEY
from scapy.layers.l2 import LLC, SNAP
from scapy.packet import Packet

from runner.evidence.engine import analyze
from tests.evidence.tshark import tshark_fields, write

AP, STA = "00:0c:41:82:b2:55", "00:0d:93:82:36:3a"
RSN = b"\x30\x14\x01\x00" + bytes(18)  # the station's RSN element, sent in message 2


def _key(to_sta: bool, counter: int, nonce: bytes, **bits: int) -> Packet:
    fc, a1, a2 = (2, STA, AP) if to_sta else (1, AP, STA)
    key = EAPOL_KEY(
        key_descriptor_type=2, key_descriptor_type_version=2, key_type=1,
        key_replay_counter=counter, key_nonce=nonce, **bits,
    )  # fmt: skip
    return (
        RadioTap() / Dot11(type=2, subtype=0, FCfield=fc, addr1=a1, addr2=a2, addr3=AP)
        / LLC() / SNAP(code=0x888E) / EAPOL(version=1, type=3) / key
    )  # fmt: skip


def _ack(to: str) -> Packet:
    return RadioTap() / Dot11(type=1, subtype=13, addr1=to)


def test_wpa_handshake_with_message_4_secure_bit_clear(tmp_path: Path) -> None:
    anonce, snonce = b"\x11" * 32, b"\x22" * 32
    frames = [
        _key(True, 1, anonce, key_ack=1),
        _ack(AP),
        _key(False, 1, snonce, has_key_mic=1, key_data=RSN, key_data_length=len(RSN)),
        _ack(STA),
        _key(True, 2, anonce, key_ack=1, has_key_mic=1, install=1, secure=1),
        _ack(AP),
        _key(False, 2, bytes(32), has_key_mic=1),  # message 4: WPA1-style, secure bit clear
        _ack(STA),
    ]
    path = write(tmp_path / "wpa.pcap", frames)
    facts = analyze(path)
    eapol = [(r["frame"], r["message"]) for r in facts.tables["wifi.eapol"]]
    reference = tshark_fields(path, "eapol", "frame.number", "wlan_rsna_eapol.keydes.msgnr")
    assert eapol == [(int(f), int(m)) for f, m in reference] == [(1, 1), (3, 2), (5, 3), (7, 4)]
    (handshake,) = facts.tables["wifi.handshakes"]
    assert (handshake["ap"], handshake["client"]) == (AP, STA)
    assert (handshake["messages"], handshake["complete"]) == ("1,2,3,4", True)
    assert len(tshark_fields(path, "wlan.fc.type_subtype == 0x1d", "frame.len")) == 4
    assert facts.warnings == []  # the four 10-byte ACKs are whole frames, not cut short
