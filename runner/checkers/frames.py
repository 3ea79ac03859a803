"""Flagged traffic as frame numbers, judged relative to chance.

A trainee answers with frame numbers and Wireshark-style ranges (``1-20,25``,
``1..20 25``, or a filter such as ``frame.number in {1..20 25}``), typed or in
a text file submitted with ``lab submit`` (for sets too large to type), or by
submitting the capture they exported (``tshark -Y FILTER -w /work/x.pcap`` or
File > Export Specified Packets). An exported file's packets are matched back
to the evidence's frames by their bytes and capture time.

Scoring is precision's lift over the base rate combined with recall (see
:mod:`runner.checkers._selection`): selecting every frame or none scores 0.
Not sealable: the judge counts overlaps, which a salted hash cannot give.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from pydantic import Field

from runner.checkers._common import snippet
from runner.checkers._selection import Figures, SelectionParams, selection_verdict
from runner.checkers._universe import frame_count
from runner.checkers.base import Checker, CheckerParams, InvalidAnswer, JudgeContext, Key, Verdict
from runner.errors import CaptureError, InputError

Interval = tuple[int, int]
HINT = "List frame numbers and ranges, e.g. 1-20,25, or submit an exported capture."
_FILTER_WORDS = re.compile(r"frame\.number|\bin\b|\bor\b|==|\|\||[{}]", re.IGNORECASE)
_DASHES = re.compile(r"\s*(?:-|–|\.\.)\s*")
_PART = re.compile(r"([0-9]{1,12})(?:-([0-9]{1,12}))?")
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")
# An export of flagged frames has at most as many packets as the evidence; twice that
# (and never less than this) leaves room for duplicates without reading millions.
MIN_RECORD_CAP = 10_000
MAX_SUBMITTED_BYTES = 256 * 1024 * 1024


class FramesParams(SelectionParams):
    evidence: str | None = Field(
        None, description="Name of the capture the frame numbers refer to (when there are several)."
    )
    time_tolerance_ms: float = Field(
        1.0,
        ge=0.0,
        description="How far a submitted packet's time may be from the evidence frame's (pcap "
        "exports keep only microseconds).",
    )


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping, non-adjacent intervals covering the same frames."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def parse_frames(raw: str) -> list[Interval]:
    """Merged frame intervals from a typed answer.

    Raises:
        InvalidAnswer: no frames, frame 0, a reversed range, or something else.
    """
    if len(raw) > 1_100_000:
        raise InvalidAnswer("The answer is too long.", HINT)
    text = _DASHES.sub("-", _FILTER_WORDS.sub(" ", raw))
    intervals = []
    for part in re.split(r"[\s,;]+", text):
        if not part:
            continue
        match = _PART.fullmatch(part)
        if not match:
            raise InvalidAnswer(f"{snippet(part)} is not a frame number or range.", HINT)
        start = int(match.group(1))
        end = int(match.group(2) or start)
        if start < 1:
            raise InvalidAnswer("Frame numbers start at 1.", HINT)
        if end < start:
            raise InvalidAnswer(f"The range {part} runs backwards.", f"Write {end}-{start}.")
        intervals.append((start, end))
    if not intervals:
        raise InvalidAnswer("The answer names no frames.", HINT)
    return merge(intervals)


def format_frames(intervals: Iterable[Interval]) -> str:
    """``1-20,25`` from intervals."""
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in intervals)


def count(intervals: list[Interval]) -> int:
    """How many frames merged intervals cover."""
    return sum(b - a + 1 for a, b in intervals)


def overlap(left: list[Interval], right: list[Interval]) -> int:
    """How many frames two lists of merged intervals have in common."""
    total, i, j = 0, 0, 0
    while i < len(left) and j < len(right):
        low, high = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        total += max(0, high - low + 1)
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return total


def expected_frames(values: Iterable[Any]) -> list[Interval]:
    """The flagged frames of a key: each value an int, a range string, or a list of them.

    Raises:
        InvalidAnswer: a value is not frame numbers.
    """
    intervals: list[Interval] = []
    for value in values:
        if isinstance(value, bool):
            raise InvalidAnswer("a yes/no value is not a frame number")
        if isinstance(value, int):
            intervals += parse_frames(str(value))
        elif isinstance(value, list | tuple):
            intervals += expected_frames(value)
        else:
            intervals += parse_frames(str(value))
    return merge(intervals)


class PacketLike(Protocol):
    """What the matcher reads from a packet (``runner.evidence.reader.Packet`` fits)."""

    @property
    def frame(self) -> int: ...
    @property
    def ts_ns(self) -> int: ...
    @property
    def data(self) -> bytes: ...


def match_packets(
    submitted: Iterable[PacketLike], evidence: Iterable[PacketLike], tolerance_ns: int
) -> tuple[list[int], int]:
    """Match exported packets back to evidence frames by bytes and nearest time.

    Identical bytes recur in captures (retransmissions, repeated queries), so a
    packet is paired with the evidence frame of the same bytes closest in time,
    each frame used at most once.

    Returns:
        The matched evidence frame numbers, and how many submitted packets
        matched no evidence frame.
    """
    pending: dict[bytes, list[int]] = {}
    total = 0
    for packet in submitted:
        pending.setdefault(bytes(packet.data), []).append(packet.ts_ns)
        total += 1
    for times in pending.values():
        times.sort()
    frames = []
    for packet in evidence:
        waiting = pending.get(bytes(packet.data))
        if not waiting:
            continue
        pos = bisect.bisect_left(waiting, packet.ts_ns)
        best = min(
            (p for p in (pos - 1, pos) if 0 <= p < len(waiting)),
            key=lambda p: abs(waiting[p] - packet.ts_ns),
        )
        if abs(waiting[best] - packet.ts_ns) <= tolerance_ns:
            del waiting[best]
            frames.append(packet.frame)
    return frames, total - len(frames)


def _iter_capture(path: Path) -> Iterator[PacketLike]:
    from runner.evidence.reader import iter_packets

    return iter_packets(path)


def evidence_capture(params: FramesParams, ctx: JudgeContext) -> Path:
    """The evidence capture a task's frame numbers refer to.

    Raises:
        InputError: the scenario names no (or an unknown) capture while needing one.
    """
    if params.evidence is not None:
        try:
            return ctx.evidence[params.evidence]
        except KeyError:
            raise InputError(
                f"evidence '{params.evidence}' named by a frames task is not in this lab",
                fix=f"use one of: {', '.join(sorted(ctx.evidence)) or '(none)'}",
            ) from None
    captures = [p for n, p in ctx.evidence.items() if n.lower().endswith(CAPTURE_SUFFIXES)]
    candidates = captures or list(ctx.evidence.values())
    if len(candidates) != 1:
        raise InputError(
            "a frames task needs to know which capture it is about",
            fix="add 'evidence: NAME' to the task's answer",
        )
    return candidates[0]


class FramesChecker(Checker):
    name = "frames"
    summary = "Flagged frames (1-20,25), a frame-range file or an exported capture; judged " \
        "against chance."
    Params = FramesParams
    sealable = False
    accepts_file = True

    def normalize(self, raw: str, params: CheckerParams) -> str:
        return format_frames(parse_frames(raw))

    def normalize_expected(self, value: Any, params: CheckerParams) -> str:
        return format_frames(expected_frames([value]))

    def check_expected(self, values: tuple[Any, ...], params: CheckerParams) -> list[str]:
        problems = super().check_expected(values, params)
        if not values:
            problems.append("a frames task needs at least one flagged frame")
        return problems

    def is_sealable(self, params: CheckerParams) -> bool:
        return False

    def key_size_problem(self, key: Key, params: CheckerParams) -> tuple[str, str, str] | None:
        """Flagged frames too scattered to type: trainees must submit a file instead."""
        from runner.session.protocol import MAX_ANSWER_BYTES

        size = len(format_frames(key_frames(key)).encode())
        if size <= MAX_ANSWER_BYTES:
            return None
        return ("warning", f"the flagged frames take {size:,} bytes written as ranges, more "
                f"than 'lab answer' accepts ({MAX_ANSWER_BYTES:,})",
                "tell trainees to 'lab submit' an exported capture (tshark -Y FILTER -w) or a "
                "text file of frame ranges")

    def _verdict(self, answer: list[Interval], key: Key, params: FramesParams,
                 ctx: JudgeContext, strays: int = 0) -> Verdict:
        """Lift and recall of answered frames; ``strays`` are packets not in the evidence."""
        flagged = key_frames(key)
        extra = f"{strays} packet(s) in the file are not in the evidence." if strays else ""
        fig = Figures(overlap(answer, flagged), count(answer) + strays, count(flagged),
                      _universe(params, ctx))
        return selection_verdict(fig, params=params, what="frames",
                                 normalized=format_frames(answer), extra=extra)

    def judge(self, answer: str, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, FramesParams)
        try:
            intervals = parse_frames(answer)
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        return self._verdict(intervals, key, params, ctx)

    def judge_file(self, path: Path, key: Key, params: CheckerParams, ctx: JudgeContext) -> Verdict:
        assert isinstance(params, FramesParams)
        if path.is_symlink() or not path.is_file():
            return Verdict.invalid("Submit a regular capture file, not a link or a folder.")
        evidence = evidence_capture(params, ctx)
        if not _is_capture(path):
            return self._judge_range_file(path, key, params, ctx)
        known = {hash(bytes(p.data)) for p in _iter_capture(evidence)}
        try:
            kept, total = read_submitted(path, known, max(MIN_RECORD_CAP, 2 * len(known)))
        except CaptureError as exc:
            return Verdict.invalid(
                f"That file is not a readable capture ({exc.message}). "
                "Export with tshark -w or File > Export Specified Packets."
            )
        except InvalidAnswer as exc:
            return Verdict.invalid(exc.feedback())
        if not total:
            return Verdict.invalid("The submitted capture has no packets in it.")
        tolerance = int(params.time_tolerance_ms * 1_000_000)
        frames, strays = match_packets(kept, _iter_capture(evidence), tolerance)
        strays += total - len(kept)
        return self._verdict(merge((f, f) for f in frames), key, params, ctx, strays)

    def _judge_range_file(self, path: Path, key: Key, params: FramesParams,
                          ctx: JudgeContext) -> Verdict:
        """A text file of frame numbers and ranges, for sets too long to type."""
        with path.open("rb") as handle:
            raw = handle.read(MAX_RANGE_FILE + 1)
        if len(raw) > MAX_RANGE_FILE:
            return Verdict.invalid("The frame-range file is over 16 MB. Merge runs into ranges.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Verdict.invalid(
                "That file is neither a capture nor a text file of frame numbers. "
                "Export with tshark -w, or list frame numbers and ranges (1-20,25).")
        try:
            intervals = parse_frames(text)
        except InvalidAnswer as exc:
            return Verdict.invalid(f"In the submitted file: {exc.feedback()}")
        return self._verdict(intervals, key, params, ctx)


MAX_RANGE_FILE = 16 * 1024 * 1024
_CAPTURE_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1",
                   b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a")


def _is_capture(path: Path) -> bool:
    """Whether a submitted file is meant as a capture (by its magic bytes or its name)."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    return magic in _CAPTURE_MAGICS or magic[:2] == b"\x1f\x8b" or \
        path.name.lower().endswith(CAPTURE_SUFFIXES)


def key_frames(key: Key) -> list[Interval]:
    """The flagged frames of a resolved key (unreadable values were reported at load)."""
    flagged: list[Interval] = []
    for value in key.values:
        try:
            flagged += expected_frames([value])
        except InvalidAnswer:
            continue
    return merge(flagged)


def _universe(params: FramesParams, ctx: JudgeContext) -> int | None:
    """Frames in the evidence capture, or ``None`` when the lab has no single capture."""
    try:
        return frame_count(evidence_capture(params, ctx))
    except (InputError, CaptureError, OSError):
        return None


def read_submitted(path: Path, known: set[int], max_records: int,
                   max_bytes: int = MAX_SUBMITTED_BYTES) -> tuple[list[PacketLike], int]:
    """Stream a submitted capture: keep only packets whose bytes may be in the evidence
    (``known`` holds their hashes), count the rest; stop at ``max_records`` records or
    ``max_bytes`` of packet data, so a crafted file of millions of records or a
    compressed bomb costs the host bounded memory and time.

    Raises:
        CaptureError: not a capture. InvalidAnswer: over a cap.
    """
    kept: list[PacketLike] = []
    total = size = 0
    for packet in _iter_capture(path):
        total += 1
        size += len(packet.data)
        if total > max_records or size > max_bytes:
            what = f"{max_records:,} packets" if total > max_records else f"{max_bytes:,} bytes"
            raise InvalidAnswer(f"The submitted capture holds more than {what}.",
                                "Export only the flagged packets (tshark -Y FILTER -w FILE).")
        if hash(bytes(packet.data)) in known:
            kept.append(packet)
    return kept, total


CHECKER = FramesChecker
