"""The capture reader: formats, numbering, timestamps, and damaged files."""

from __future__ import annotations

import struct
from pathlib import Path

import dpkt
import pytest

from runner.errors import CaptureError
from runner.evidence import craft
from runner.evidence.reader import Packet, capture_format, iter_packets

PCAPS = Path(__file__).resolve().parents[2] / "pcaps"
T0 = 1_700_000_000_123_456_789


def _frames(n: int) -> list[tuple[int, bytes]]:
    return [
        (T0 + i * 1_000_000, craft.ether(craft.ipv4(craft.udp(bytes([i]) * 10)))) for i in range(n)
    ]


def _write(tmp_path: Path, name: str, blob: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(blob)
    return path


def _read(path: Path) -> tuple[list[Packet], list[str]]:
    warnings: list[str] = []
    return list(iter_packets(path, on_warning=warnings.append)), warnings


def test_pcap_microseconds_numbered_from_one(tmp_path: Path) -> None:
    frames = _frames(3)
    packets, warnings = _read(_write(tmp_path, "a.pcap", craft.write_pcap(frames)))
    assert [p.frame for p in packets] == [1, 2, 3]
    assert [p.data for p in packets] == [f for _, f in frames]
    # microsecond pcap loses the last three digits
    assert packets[0].ts_ns == T0 // 1000 * 1000
    assert packets[0].linktype == craft.LINKTYPE_ETHERNET
    assert warnings == []


def test_pcap_nanoseconds_keeps_full_precision(tmp_path: Path) -> None:
    path = _write(tmp_path, "n.pcap", craft.write_pcap(_frames(2), nanos=True))
    packets, _ = _read(path)
    assert packets[0].ts_ns == T0
    assert capture_format(path) == "pcap"


def test_pcap_big_endian(tmp_path: Path) -> None:
    data = craft.ether(craft.ipv4(b""))
    blob = struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    blob += struct.pack(">IIII", 10, 5, len(data), 60) + data
    packets, _ = _read(_write(tmp_path, "be.pcap", blob))
    assert packets == [Packet(1, 10_000_005_000, 1, data, 60)]


def test_pcapng_interfaces_and_resolutions(tmp_path: Path) -> None:
    a, b = craft.ether(craft.ipv4(b"x")), b"\x45" + bytes(19)
    blob = (
        craft.pcapng_shb()
        + craft.pcapng_idb(craft.LINKTYPE_ETHERNET)  # default: microseconds
        + craft.pcapng_idb(craft.LINKTYPE_RAW, tsresol=9)  # nanoseconds
        + craft.pcapng_epb(a, 1_700_000_000_000_001)
        + craft.pcapng_epb(b, T0, iface=1)
    )
    path = _write(tmp_path, "two.pcapng", blob)
    packets, warnings = _read(path)
    assert [(p.frame, p.linktype, p.data) for p in packets] == [(1, 1, a), (2, 101, b)]
    assert packets[0].ts_ns == 1_700_000_000_000_001_000
    assert packets[1].ts_ns == T0
    assert warnings == []
    assert capture_format(path) == "pcapng"


def test_pcapng_power_of_two_resolution(tmp_path: Path) -> None:
    blob = (
        craft.pcapng_shb() + craft.pcapng_idb(tsresol=0x80 | 10) + craft.pcapng_epb(b"z", 3 << 10)
    )
    packets, _ = _read(_write(tmp_path, "p2.pcapng", blob))
    assert packets[0].ts_ns == 3_000_000_000


def test_pcapng_unknown_block_is_skipped_with_warning(tmp_path: Path) -> None:
    blob = (
        craft.pcapng_shb()
        + craft.pcapng_idb()
        + craft.pcapng_epb(b"one", 1)
        + craft.pcapng_block(0x0BADF00D, b"mystery")
        + craft.pcapng_block(5, bytes(12))  # interface statistics: known, quiet
        + craft.pcapng_epb(b"two", 2)
    )
    packets, warnings = _read(_write(tmp_path, "u.pcapng", blob))
    assert [p.frame for p in packets] == [1, 2]
    assert [p.data for p in packets] == [b"one", b"two"]
    assert len(warnings) == 1
    assert "0x0badf00d" in warnings[0]


def test_pcapng_packet_on_undeclared_interface_is_skipped(tmp_path: Path) -> None:
    blob = craft.pcapng_shb() + craft.pcapng_idb() + craft.pcapng_epb(b"x", 1, iface=3)
    packets, warnings = _read(_write(tmp_path, "i.pcapng", blob))
    assert packets == []
    assert "interface 3" in warnings[0]


def test_truncated_pcap_keeps_earlier_frames(tmp_path: Path) -> None:
    blob = craft.write_pcap(_frames(3))
    packets, warnings = _read(_write(tmp_path, "t.pcap", blob[:-5]))
    assert [p.frame for p in packets] == [1, 2]
    assert "cut short" in warnings[0]


def test_lying_record_length_stops_with_warning(tmp_path: Path) -> None:
    blob = craft.write_pcap(_frames(1)) + struct.pack("<IIII", 1, 0, 0x7FFFFFFF, 60) + b"junk"
    packets, warnings = _read(_write(tmp_path, "l.pcap", blob))
    assert len(packets) == 1
    assert "claims" in warnings[0]


def test_snaplen_cut_packet_keeps_wire_length(tmp_path: Path) -> None:
    data = craft.ether(craft.ipv4(craft.tcp(b"A" * 500)))
    blob = (
        craft.pcapng_shb() + craft.pcapng_idb() + craft.pcapng_epb(data[:64], 5, wirelen=len(data))
    )
    packets, _ = _read(_write(tmp_path, "s.pcapng", blob))
    assert (len(packets[0].data), packets[0].wirelen) == (64, len(data))


@pytest.mark.parametrize(
    ("blob", "words"),
    [
        (b"", "only 0 bytes"),
        (b"GIF89a" + bytes(40), "magic number 47494638"),
        (b"\xd4\xc3\xb2\xa1\x02\x00", "header is truncated"),
        (b"\x0a\x0d\x0d\x0a" + bytes(8), "byte-order magic"),
    ],
)
def test_unreadable_files_raise_capture_error_naming_the_file(
    tmp_path: Path, blob: bytes, words: str
) -> None:
    path = _write(tmp_path, "bad.pcap", blob)
    with pytest.raises(CaptureError) as info:
        list(iter_packets(path))
    assert words in info.value.message
    assert info.value.where == str(path)


def test_missing_file_raises_capture_error(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="cannot open"):
        list(iter_packets(tmp_path / "nope.pcap"))


@pytest.mark.parametrize(
    "name", ["cs_synscan.pcapng", "ndpi_android.pcap", "zeek_http_vlan.pcap", "cs_aurora.pcapng"]
)
def test_real_captures_agree_with_dpkt(name: str) -> None:
    path = PCAPS / name
    with path.open("rb") as handle:
        reader = dpkt.pcapng.Reader(handle) if name.endswith("ng") else dpkt.pcap.Reader(handle)
        expected = [(round(ts * 1e6), bytes(buf)) for ts, buf in reader]
    packets, warnings = _read(path)
    assert [(p.ts_ns // 1000, p.data) for p in packets] == expected
    assert warnings == []
