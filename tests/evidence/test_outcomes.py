"""The three outcomes of an analyzer stay apart: not its input (ignored), damaged input
(a warning, the pass carries on), a bug (raised, never turned into a warning)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from runner.evidence import craft
from runner.evidence.analyzers.base import Damaged
from runner.evidence.analyzers.dns import Dns
from runner.evidence.analyzers.http import Http
from runner.evidence.analyzers.wifi import Wifi
from runner.evidence.engine import analyze
from runner.evidence.proto.lines import replies
from runner.evidence.reader import iter_records_at
from runner.evidence.streams import Side, Stream

PCAPS = Path(__file__).resolve().parents[2] / "pcaps"


def _dns_capture(tmp_path: Path) -> Path:
    query = craft.dns_query("example.org")
    frames = [craft.ether(craft.ipv4(craft.udp(query), proto=17))]
    path = tmp_path / "dns.pcap"
    path.write_bytes(craft.write_pcap([(0, f) for f in frames]))
    return path


@pytest.mark.parametrize("error", [IndexError, KeyError, ValueError, TypeError])
def test_a_bug_in_a_packet_hook_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def broken(self: Dns, p: object) -> None:
        raise error("analyzer bug")

    monkeypatch.setattr(Dns, "on_udp", broken)
    with pytest.raises(error, match="analyzer bug"):
        analyze(_dns_capture(tmp_path), ["dns"], pipeline=False)


@pytest.mark.parametrize("pipeline", [False, True])
def test_a_bug_in_a_stream_hook_raises_in_either_process(
    monkeypatch: pytest.MonkeyPatch, pipeline: bool
) -> None:
    def broken(self: Http, stream: Stream) -> None:
        raise IndexError("analyzer bug")

    monkeypatch.setattr(Http, "on_stream", broken)
    with pytest.raises(IndexError, match="analyzer bug"):
        analyze(PCAPS / "cs_http_ip4and6.pcapng", ["http"], pipeline=pipeline)


def test_damaged_input_warns_and_the_pass_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Wifi.on_frame
    monkeypatch.setattr(Dns, "on_udp", lambda self, p: (_ for _ in ()).throw(Damaged("bad")))
    facts = analyze(_dns_capture(tmp_path), ["dns", "summary"], pipeline=False)
    assert facts.warnings == ["frame 1: damaged packet skipped (Damaged: bad)"]
    assert facts.tables["summary.capture"][0]["packets"] == 1
    assert Wifi.on_frame is real


def test_damaged_dns_is_a_warning_not_an_error(tmp_path: Path) -> None:
    bad = craft.dns_query("example.org")[:-3]  # the question is cut short
    frames = [craft.ether(craft.ipv4(craft.udp(bad), proto=17))]
    path = tmp_path / "bad.pcap"
    path.write_bytes(craft.write_pcap([(0, f) for f in frames]))
    facts = analyze(path, ["dns"])
    assert facts.tables["dns.queries"] == []
    assert facts.warnings == ["frame 1: dns: damaged DNS message skipped (cut short or malformed)"]


def test_not_its_input_is_ignored_silently(tmp_path: Path) -> None:
    frames = [craft.ether(craft.ipv4(craft.udp(b"\x00" * 4, sport=40000, dport=9999), proto=17))]
    path = tmp_path / "other.pcap"
    path.write_bytes(craft.write_pcap([(0, f) for f in frames]))
    facts = analyze(path)
    assert facts.warnings == []
    assert facts.tables["dns.queries"] == []


def test_a_reply_code_in_superscript_digits_is_no_reply() -> None:
    """Found by fuzzing: Latin-1 '\xb9' passes str.isdigit() but not int(); a damaged
    reply line must be no reply, not a ValueError (which now stops the pass)."""
    side = Side(b"\xb934 nope\r\n220 ready\r\n", [0], [1], [0])
    assert [(code, text) for code, text, _ in replies(side)] == [(220, "ready")]


@pytest.mark.parametrize(
    "capture",
    ["zeek_smtp.pcap", "cs_ftp_tickedoffdeveloper.pcapng", "cs_http_dvwa_clearlogin.pcapng",
     "ndpi_android.pcap", "cs_dns_axfr.pcapng"],
)  # fmt: skip
@pytest.mark.parametrize("seed", [1, 11])
def test_damaged_copies_of_real_captures_only_warn(tmp_path: Path, capture: str, seed: int) -> None:
    """Every frame truncated or with bytes changed, at random (seeded): warnings, never
    an exception (an analyzer that raises on damaged input has a bug to fix)."""
    rng = random.Random(seed)
    out = []
    records = list(iter_records_at(PCAPS / capture, on_warning=lambda _message: None))
    for ts, _link, data, _wirelen, _at in records:
        frame = bytearray(data)
        roll = rng.random()
        if roll < 0.3 and len(frame) > 14:
            frame = frame[: rng.randrange(14, len(frame))]
        elif roll < 0.6 and frame:
            for _ in range(rng.randrange(1, 6)):
                frame[rng.randrange(len(frame))] = rng.randrange(256)
        out.append((ts, bytes(frame)))
    path = tmp_path / "damaged.pcap"
    path.write_bytes(craft.write_pcap(out, linktype=records[0][1]))
    facts = analyze(path, pipeline=False)
    assert facts.packets == len(out)
