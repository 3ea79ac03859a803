"""802.11 frames behind a radiotap header, and the WPA2-PSK key hierarchy (IEEE 802.11i):
PMK = PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 32), PTK = PRF-512(PMK, "Pairwise key
expansion", addresses and nonces), MIC = HMAC-SHA1(KCK, EAPOL frame)[:16]. The same
computation aircrack-ng repeats for every word of a list, so a handshake written here is
cracked by the passphrase and by nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from scapy.layers.dot11 import (
    Dot11,
    Dot11AssoReq,
    Dot11AssoResp,
    Dot11Auth,
    Dot11Beacon,
    Dot11Deauth,
    Dot11Elt,
    Dot11ProbeReq,
    Dot11ProbeResp,
)
from scapy.layers.l2 import LLC, SNAP

from runner.generate.wire.frames import mac_bytes

# RSN element: version 1, CCMP group and pairwise cipher, PSK key management.
RSN = bytes.fromhex("0100000fac040100000fac040100000fac020000")
RATES = b"\x82\x84\x8b\x96\x0c\x12\x18\x24"


def radiotap(channel: int, signal: int) -> bytes:
    """A radiotap header: flags, rate (1 Mb/s), channel (2.4 GHz) and antenna signal."""
    freq = 2484 if channel == 14 else 2407 + 5 * channel
    return struct.pack("<BBHI", 0, 0, 15, 0x2E) + struct.pack("<BBHHb", 0, 2, freq, 0x00A0,
                                                                signal)


def elements(ssid: str, channel: int, rsn: bool = True) -> Dot11Elt:
    """SSID, supported rates, DS parameter set and (for WPA2) the RSN element."""
    elts = (Dot11Elt(ID=0, info=ssid.encode()) / Dot11Elt(ID=1, info=RATES)
            / Dot11Elt(ID=3, info=bytes([channel])))
    return elts / Dot11Elt(ID=48, info=RSN) if rsn else elts


def beacon(bssid: str, ssid: str, channel: int, seq: int, tsf: int) -> bytes:
    return bytes(Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2=bssid, addr3=bssid,
                       SC=seq << 4) / Dot11Beacon(timestamp=tsf, beacon_interval=100, cap=0x1411)
                 / elements(ssid, channel))


def probe_request(client: str, ssid: str, seq: int) -> bytes:
    return bytes(Dot11(type=0, subtype=4, addr1="ff:ff:ff:ff:ff:ff", addr2=client,
                       addr3="ff:ff:ff:ff:ff:ff", SC=seq << 4) / Dot11ProbeReq()
                 / Dot11Elt(ID=0, info=ssid.encode()) / Dot11Elt(ID=1, info=RATES))


def probe_response(bssid: str, client: str, ssid: str, channel: int, seq: int, tsf: int) -> bytes:
    return bytes(Dot11(type=0, subtype=5, addr1=client, addr2=bssid, addr3=bssid, SC=seq << 4)
                 / Dot11ProbeResp(timestamp=tsf, beacon_interval=100, cap=0x1411)
                 / elements(ssid, channel))


def deauth(src: str, dst: str, bssid: str, reason: int, seq: int) -> bytes:
    return bytes(Dot11(type=0, subtype=12, addr1=dst, addr2=src, addr3=bssid, SC=seq << 4)
                 / Dot11Deauth(reason=reason))


def authentication(src: str, dst: str, bssid: str, seqnum: int, seq: int) -> bytes:
    return bytes(Dot11(type=0, subtype=11, addr1=dst, addr2=src, addr3=bssid, SC=seq << 4)
                 / Dot11Auth(algo=0, seqnum=seqnum, status=0))


def association(client: str, bssid: str, ssid: str, channel: int, seq: int,
                response: bool) -> bytes:
    if response:
        return bytes(Dot11(type=0, subtype=1, addr1=client, addr2=bssid, addr3=bssid,
                           SC=seq << 4) / Dot11AssoResp(cap=0x1411, status=0, AID=0xC001)
                     / Dot11Elt(ID=1, info=RATES))
    return bytes(Dot11(type=0, subtype=0, addr1=bssid, addr2=client, addr3=bssid, SC=seq << 4)
                 / Dot11AssoReq(cap=0x1411, listen_interval=10) / elements(ssid, channel))


def eapol_data(eapol: bytes, src: str, dst: str, bssid: str, from_ap: bool, seq: int) -> bytes:
    """An 802.11 data frame (From DS or To DS) carrying an EAPOL frame in LLC/SNAP."""
    fc = 0x02 if from_ap else 0x01  # From DS, To DS
    return bytes(Dot11(type=2, subtype=0, FCfield=fc, addr1=dst, addr2=src, addr3=bssid,
                       SC=seq << 4) / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x888E)
                 ) + eapol


def pmk(passphrase: str, ssid: str) -> bytes:
    """The pairwise master key of a WPA2-PSK network."""
    return hashlib.pbkdf2_hmac("sha1", passphrase.encode(), ssid.encode(), 4096, 32)


def ptk(pmk_: bytes, ap: str, client: str, anonce: bytes, snonce: bytes) -> bytes:
    """PRF-512 (IEEE 802.11i 8.5.1.2) over the sorted addresses and nonces."""
    a, s = mac_bytes(ap), mac_bytes(client)
    data = min(a, s) + max(a, s) + min(anonce, snonce) + max(anonce, snonce)
    out = b""
    for i in range(4):
        out += hmac.new(pmk_, b"Pairwise key expansion\x00" + data + bytes([i]),
                        hashlib.sha1).digest()
    return out[:64]


def eapol_key(info: int, replay: int, nonce: bytes, key_data: bytes = b"",
              key_length: int = 16) -> bytes:
    """An EAPOL-Key frame (802.1X-2004, RSN descriptor) with a zero MIC."""
    body = (struct.pack("!BHHQ", 2, info, key_length, replay) + nonce + b"\x00" * 16
            + b"\x00" * 8 + b"\x00" * 8 + b"\x00" * 16 + struct.pack("!H", len(key_data))
            + key_data)
    return struct.pack("!BBH", 2, 3, len(body)) + body


def with_mic(frame: bytes, kck: bytes) -> bytes:
    """``frame`` with its MIC field set (HMAC-SHA1 of the frame with a zero MIC)."""
    mic = hmac.new(kck, frame, hashlib.sha1).digest()[:16]
    return frame[:81] + mic + frame[97:]
