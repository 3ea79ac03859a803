"""``wifi``: networks seen (SSIDs), deauthentication attacks, and WPA handshakes (EAPOL)."""

from __future__ import annotations

from typing import ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Row, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import iso_time, mac_text
from runner.evidence.decode import ET_EAPOL, Pkt

_BEACON, _PROBE_RESP, _DISASSOC, _DEAUTH = 8, 5, 10, 12
_ZERO_NONCE = bytes(32)


@register
class Wifi(Analyzer):
    """802.11 management frames (radiotap or bare 802.11) and EAPOL-Key frames on any link."""

    name = "wifi"
    description = "802.11 SSIDs, deauthentication/disassociation frames, EAPOL 4-way handshakes"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "ssids": (
            Field("ssid", "str", "network name ('' for a hidden network)"),
            Field("bssid", "str", "access point MAC"),
            Field("channel", "int", "channel from the DS parameter set (0 if absent)"),
            Field("first_frame", "int", "first beacon or probe response"),
            Field("beacons", "int", "beacon frames"),
            Field("probe_responses", "int", "probe response frames"),
        ),
        "deauths": (
            Field("frame", "int", "frame"),
            Field("time", "str", "UTC time"),
            Field("kind", "str", "deauthentication or disassociation"),
            Field("src", "str", "transmitter MAC"),
            Field("dst", "str", "receiver MAC (ff:ff:ff:ff:ff:ff: everyone)"),
            Field("bssid", "str", "BSSID"),
            Field("reason", "int", "reason code"),
        ),
        "eapol": (
            Field("frame", "int", "frame"),
            Field("src", "str", "sender MAC"),
            Field("dst", "str", "receiver MAC"),
            Field("message", "int", "4-way handshake message 1-4 (0 if not an EAPOL-Key)"),
        ),
        "handshakes": (
            Field("ap", "str", "authenticator (access point) MAC"),
            Field("client", "str", "supplicant (station) MAC"),
            Field("messages", "str", "handshake messages seen, e.g. 1,2,3,4"),
            Field("complete", "bool", "all four messages seen"),
            Field("first_frame", "int", "first EAPOL frame of the pair"),
        ),
    }
    wants_wifi = True
    ether_types = frozenset({ET_EAPOL})

    def setup(self) -> None:
        self.ssids: dict[tuple[str, bytes], Row] = {}
        self.deauths = self.new_table("deauths")
        self.eapol = self.new_table("eapol")
        self.handshakes: dict[tuple[str, str], Row] = {}
        self.last_eapol = 0

    def on_frame(self, p: Pkt) -> None:
        if p.etype == ET_EAPOL:
            # An EAPOL frame inside 802.11 arrives twice (as 802.11, and by ether type).
            if p.frame != self.last_eapol:
                self.last_eapol = p.frame
                self._eapol(p)
            return
        off, data = p.wifi, p.data
        fc = data[off]
        if (fc >> 2) & 3 != 0:
            return  # only management frames here; data frames carry EAPOL above
        subtype = fc >> 4
        dst, src, bssid = (
            data[off + 4 : off + 10],
            data[off + 10 : off + 16],
            data[off + 16 : off + 22],
        )
        body = off + 24
        if subtype in (_BEACON, _PROBE_RESP):
            self._network(p, subtype, bssid, _ies(data, body + 12, len(data)))
        elif subtype in (_DEAUTH, _DISASSOC) and len(data) >= body + 2:
            self.deauths.append(
                {
                    "frame": p.frame,
                    "time": iso_time(p.ts),
                    "kind": "deauthentication" if subtype == _DEAUTH else "disassociation",
                    "src": mac_text(src),
                    "dst": mac_text(dst),
                    "bssid": mac_text(bssid),
                    "reason": data[body] | data[body + 1] << 8,
                }
            )

    def _network(self, p: Pkt, subtype: int, bssid: bytes, ies: dict[int, bytes]) -> None:
        ssid = ies.get(0, b"").rstrip(b"\x00").decode("utf-8", "backslashreplace")
        row = self.ssids.get((ssid, bssid))
        if row is None:
            channel = ies.get(3, b"\x00")
            row = self.ssids[(ssid, bssid)] = {
                "ssid": ssid,
                "bssid": mac_text(bssid),
                "channel": channel[0] if channel else 0,
                "first_frame": p.frame,
                "beacons": 0,
                "probe_responses": 0,
            }
        row["beacons" if subtype == _BEACON else "probe_responses"] += 1

    def _eapol(self, p: Pkt) -> None:
        src, dst = _addresses(p)
        data, off = p.data, p.l3
        message = pairwise = 0
        if len(data) >= off + 7 and data[off + 1] == 3:  # EAPOL-Key
            message = _message(data[off + 4 :])
            pairwise = data[off + 6] & 0x08
        self.eapol.append({"frame": p.frame, "src": src, "dst": dst, "message": message})
        if not message or not pairwise:
            return  # the group-key handshake is not the 4-way one
        ap, client = (src, dst) if message in (1, 3) else (dst, src)
        row = self.handshakes.setdefault(
            (ap, client),
            {"ap": ap, "client": client, "messages": "", "complete": False, "first_frame": p.frame},
        )
        seen = set(filter(None, str(row["messages"]).split(","))) | {str(message)}
        row["messages"] = ",".join(sorted(seen))
        row["complete"] = len(seen) == 4

    def finish(self) -> Tables:
        return {
            "ssids": sorted(self.ssids.values(), key=lambda r: int(r["first_frame"])),
            "deauths": self.deauths,
            "eapol": self.eapol,
            "handshakes": list(self.handshakes.values()),
        }


def _message(key: bytes) -> int:
    """Which handshake message an EAPOL-Key body is (from its descriptor type on), as
    Wireshark numbers them (``wlan_rsna_eapol.keydes.msgnr``).

    The authenticator's frames carry Key ACK: with Install it is message 3, else 1. The
    station's message 2 carries its RSN element as key data; message 4 carries none (and
    repeats message 3's replay counter, usually with a zero nonce). The MIC and Secure
    bits tell nothing reliable (WPA1 and many stations leave Secure clear in message 4).
    Group-key frames are numbered 1 (from the AP) and 2.
    """
    info = key[1] << 8 | key[2]
    if info & 0x80:
        return 3 if info & 0x48 == 0x48 else 1
    if not info & 0x08:
        return 2
    if len(key) >= 95:
        return 2 if key[93] << 8 | key[94] else 4
    return 4 if key[13:45] == _ZERO_NONCE else 2  # cut short: the nonce is all there is


def _addresses(p: Pkt) -> tuple[str, str]:
    data = p.data
    if p.l2 >= 0:
        return mac_text(data[p.l2 + 6 : p.l2 + 12]), mac_text(data[p.l2 : p.l2 + 6])
    off = p.wifi
    # 802.11: addr1 is the receiver, addr2 the transmitter.
    return mac_text(data[off + 10 : off + 16]), mac_text(data[off + 4 : off + 10])


def _ies(data: bytes, pos: int, end: int) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    while pos + 2 <= end:
        eid, size = data[pos], data[pos + 1]
        out.setdefault(eid, data[pos + 2 : pos + 2 + size])
        pos += 2 + size
    return out
