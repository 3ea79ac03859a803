"""Frame-number answers and exported captures, judged by precision and recall."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.checkers import registry
from runner.checkers.base import InvalidAnswer, JudgeContext, Key, Status
from runner.checkers.frames import match_packets, merge, overlap
from runner.errors import InputError
from runner.evidence import craft
from runner.evidence.reader import Packet

from .conftest import Judge, Normalize

T0 = 1_700_000_000_123_456_789
FLAGGED = ["1-10"]


def _frame(i: int) -> bytes:
    return craft.ether(craft.ipv4(craft.udp(i.to_bytes(2, "big") * 8)))


def _evidence(tmp_path: Path, n: int = 20) -> Path:
    path = tmp_path / "capture.pcapng"
    blocks = [craft.pcapng_shb(), craft.pcapng_idb(tsresol=9)]
    blocks += [craft.pcapng_epb(_frame(i), T0 + i * 1_000_000) for i in range(n)]
    path.write_bytes(b"".join(blocks))
    return path


def _export(tmp_path: Path, indices: list[int], *, shift_ns: int = 0) -> Path:
    path = tmp_path / "export.pcap"
    records = [(T0 + i * 1_000_000 + shift_ns, _frame(i)) for i in indices]
    path.write_bytes(craft.write_pcap(records))  # microseconds, like tshark -F pcap
    return path


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("1-20,25", "1-20,25"),
        ("25, 1 - 20", "1-20,25"),
        ("3 1 2 5", "1-3,5"),
        ("1..20 25", "1-20,25"),
        ("frame.number in {1..20 25}", "1-20,25"),
        ("frame.number == 4 || frame.number == 5", "4-5"),
        ("1-5\n4-8;20", "1-8,20"),
    ],
)
def test_typed_notations(normalize: Normalize, raw: str, canonical: str) -> None:
    assert normalize("frames", raw) == canonical


@pytest.mark.parametrize("raw", ["", "0", "5-3", "a-b", "1-2-3", "1" * 13])
def test_unreadable_frame_lists_are_invalid(normalize: Normalize, raw: str) -> None:
    with pytest.raises(InvalidAnswer):
        normalize("frames", raw)


def test_huge_range_is_counted_not_expanded(judge: Judge) -> None:
    verdict = judge("frames", "1-999999999999", FLAGGED)
    assert verdict.status is Status.PARTIAL
    assert verdict.score < 0.01


def test_interval_helpers() -> None:
    assert merge([(5, 9), (1, 3), (4, 4)]) == [(1, 9)]
    assert overlap([(1, 10), (20, 30)], [(5, 25)]) == 12


def test_exact_answer_full_marks(judge: Judge) -> None:
    verdict = judge("frames", "1-10", FLAGGED)
    assert verdict.status is Status.CORRECT
    assert "Lift over chance 100.0%" in verdict.feedback


def test_at_the_thresholds_is_full_marks(judge: Judge) -> None:
    verdict = judge("frames", "1-9", FLAGGED, min_recall=0.9)
    assert verdict.status is Status.CORRECT


def test_below_a_threshold_is_partial_with_numbers(judge: Judge) -> None:
    verdict = judge("frames", "1-5", FLAGGED)
    assert verdict.status is Status.PARTIAL
    assert 0.5 < verdict.score < 0.9
    assert verdict.feedback == (
        "Lift over chance 100.0% (needs 90.0%), recall 50.0% (needs 90.0%). Your 5 frames "
        "include 5 of the 10 flagged: precision 100.0% against a base rate taken as 0 (the "
        "evidence was not available).")


def test_flagging_everything_scores_low(judge: Judge) -> None:
    assert judge("frames", "1-1000", FLAGGED).score < 0.05


def test_nothing_in_common_is_wrong(judge: Judge) -> None:
    assert judge("frames", "50-60", FLAGGED).status is Status.WRONG


def test_key_of_ints_and_ranges(judge: Judge) -> None:
    assert judge("frames", "1-3,7", [1, 2, "3", "7"]).status is Status.CORRECT


def test_frames_are_not_sealable() -> None:
    checker = registry().get("frames")
    assert checker.sealable is False
    assert checker.accepts_file is True


def _judge_file(path: Path, ctx: JudgeContext, **params: object) -> tuple[Status, float, str]:
    checker = registry().get("frames")
    verdict = checker.judge_file(
        path, Key(values=tuple(FLAGGED)), checker.parse_params(params), ctx
    )
    return verdict.status, verdict.score, verdict.feedback


def test_exported_capture_matched_back_to_frames(tmp_path: Path) -> None:
    ctx = JudgeContext(evidence={"capture.pcapng": _evidence(tmp_path)})
    status, _, feedback = _judge_file(_export(tmp_path, list(range(10))), ctx)
    assert status is Status.CORRECT
    assert "recall 100.0%" in feedback and "base rate of 50.0% (10 of 20 frames" in feedback


def test_exported_capture_with_extra_and_foreign_packets(tmp_path: Path) -> None:
    ctx = JudgeContext(evidence={"capture.pcapng": _evidence(tmp_path)})
    export = tmp_path / "mixed.pcap"
    records = [(T0 + i * 1_000_000, _frame(i)) for i in range(12)]
    records.append((T0, _frame(999)))
    export.write_bytes(craft.write_pcap(records))
    status, score, feedback = _judge_file(export, ctx)
    assert status is Status.PARTIAL
    assert 0.5 < score < 1
    assert "1 packet(s) in the file are not in the evidence" in feedback


def test_time_shifted_export_does_not_match(tmp_path: Path) -> None:
    ctx = JudgeContext(evidence={"capture.pcapng": _evidence(tmp_path)})
    status, _, _ = _judge_file(_export(tmp_path, list(range(10)), shift_ns=5_000_000_000), ctx)
    assert status is Status.WRONG


def test_identical_packets_are_told_apart_by_time() -> None:
    same = b"\x01" * 20
    evidence = [Packet(n, n * 1_000_000_000, 1, same, 20) for n in range(1, 6)]
    submitted = [Packet(1, 3_000_000_000, 1, same, 20), Packet(2, 5_000_000_000, 1, same, 20)]
    assert match_packets(submitted, evidence, 1_000_000) == ([3, 5], 0)


def test_a_file_that_is_neither_capture_nor_frame_list_is_invalid(tmp_path: Path) -> None:
    ctx = JudgeContext(evidence={"capture.pcapng": _evidence(tmp_path)})
    text = tmp_path / "notes.txt"
    text.write_text("frames 1-10\n")
    status, _, feedback = _judge_file(text, ctx)
    assert status is Status.INVALID
    assert feedback.startswith("In the submitted file: 'frames' is not a frame number")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert _judge_file(binary, ctx)[0] is Status.INVALID
    fake = tmp_path / "fake.pcap"
    fake.write_text("1-10")
    status, _, feedback = _judge_file(fake, ctx)
    assert status is Status.INVALID and "not a readable capture" in feedback


def test_a_frame_range_file_is_judged_like_typed_frames(tmp_path: Path) -> None:
    """Issue 8.1: a set too large to type can be answered with a text file of ranges."""
    ctx = JudgeContext(evidence={"capture.pcapng": _evidence(tmp_path)})
    ranges = tmp_path / "flagged.txt"
    ranges.write_text("1-5\n6\n7-10\n")
    checker = registry().get("frames")
    verdict = checker.judge_file(ranges, Key(values=tuple(FLAGGED)), checker.parse_params({}),
                                 ctx)
    assert verdict.status is Status.CORRECT and verdict.normalized == "1-10"


def test_an_empty_capture_is_invalid(tmp_path: Path) -> None:
    ctx = JudgeContext(evidence={"capture.pcapng": _evidence(tmp_path)})
    status, _, _ = _judge_file(_export(tmp_path, []), ctx)
    assert status is Status.INVALID


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    ctx = JudgeContext(evidence={"capture.pcapng": _evidence(tmp_path)})
    link = tmp_path / "link.pcap"
    link.symlink_to(_export(tmp_path, [0]))
    assert _judge_file(link, ctx)[0] is Status.INVALID


def test_evidence_param_picks_among_several(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    ctx = JudgeContext(
        evidence={"a.pcap": _evidence(tmp_path / "b", 3), "b.pcapng": _evidence(tmp_path)}
    )
    export = _export(tmp_path, list(range(10)))
    with pytest.raises(InputError, match="which capture"):
        _judge_file(export, ctx)
    assert _judge_file(export, ctx, evidence="b.pcapng")[0] is Status.CORRECT
    with pytest.raises(InputError, match="not in this lab"):
        _judge_file(export, ctx, evidence="c.pcap")
