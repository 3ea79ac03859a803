"""frames and flows judged relative to chance (issue 8.1): selecting everything or nothing
scores 0, feedback prints the figures compared, over-inclusion never beats a correct subset."""

from __future__ import annotations

from pathlib import Path

import dpkt
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.checkers import registry
from runner.checkers._selection import Figures, pct, selection_score
from runner.checkers.base import JudgeContext, Key, Status, Verdict
from runner.checkers.frames import format_frames, merge

ROOT = Path(__file__).resolve().parents[2]
SYNSCAN = ROOT / "pcaps" / "cs_synscan.pcapng"
CTX = JudgeContext(evidence={"synscan.pcapng": SYNSCAN})


def _syn_probes() -> list[int]:
    """Frames of the scanner's SYN probes, read with dpkt (the reference), not dflab."""
    frames = []
    with SYNSCAN.open("rb") as fh:
        for number, (_ts, buf) in enumerate(dpkt.pcapng.Reader(fh), start=1):
            ip = dpkt.ethernet.Ethernet(buf).data
            tcp = ip.data
            if ip.src == bytes([172, 16, 0, 8]) and tcp.flags == dpkt.tcp.TH_SYN:
                frames.append(number)
    return frames


def _judge(answer: str, flagged: list[int], **params: object) -> Verdict:
    checker = registry().get("frames")
    key = Key(values=(format_frames(merge((f, f) for f in flagged)),))
    return checker.judge(answer, key, checker.parse_params(params), CTX)


def test_select_everything_on_the_syn_scan_scores_zero_even_at_thresholds_one() -> None:
    probes = _syn_probes()
    assert len(probes) == 1994
    for params in ({}, {"min_precision": 1.0, "min_recall": 1.0}):
        verdict = _judge("1-2011", probes, **params)
        assert verdict.score == 0.0 and verdict.status is Status.WRONG
    verdict = _judge("1-2011", probes)
    assert "base rate of 99.1% (1994 of 2011 frames flagged)" in verdict.feedback
    assert "Lift over chance 0.0%" in verdict.feedback


def test_the_syn_probes_themselves_score_full_and_near_everything_scores_low() -> None:
    probes = _syn_probes()
    assert _judge(format_frames(merge((f, f) for f in probes)), probes).status is Status.CORRECT
    others = sorted(set(range(1, 2012)) - set(probes))
    near_all = format_frames(merge((f, f) for f in range(1, 2012) if f != others[0]))
    assert _judge(near_all, probes).score < 0.1


def test_partial_feedback_never_shows_a_figure_rounded_up_to_its_threshold() -> None:
    probes = _syn_probes()
    missing_one = format_frames(merge((f, f) for f in probes[1:]))
    verdict = _judge(missing_one, probes, min_precision=1.0, min_recall=1.0)
    assert verdict.status is Status.PARTIAL
    assert "recall 99.9% (needs 100.0%)" in verdict.feedback
    assert pct(0.29) == "29.0%" and pct(0.99999) == "99.9%"


def test_small_over_inclusive_answer_does_not_beat_the_correct_subset(judge) -> None:
    over = judge("frames", "54-56", ["54", "56"], ctx=CTX)
    subset = judge("frames", "54", ["54", "56"], ctx=CTX)
    assert over.score <= subset.score
    assert over.status is Status.PARTIAL


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 400), st.integers(1, 400), st.data())
def test_everything_and_nothing_score_zero(flagged: int, unflagged: int, data) -> None:
    universe = flagged + unflagged
    everything = Figures(flagged, universe, flagged, universe)
    nothing = Figures(0, 0, flagged, universe)
    thresholds = data.draw(st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)))
    assert selection_score(everything, *thresholds) == 0.0
    assert selection_score(nothing, *thresholds) == 0.0


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 400), st.integers(0, 4000), st.data())
def test_extras_cost_at_least_as_much_as_misses(flagged: int, unflagged: int, data) -> None:
    """Below full credit, all flagged items plus j extras never beat the flagged set less
    j items (j up to half the flagged set)."""
    j = data.draw(st.integers(1, max(1, flagged // 2)))
    if j > unflagged:
        return
    universe = flagged + unflagged
    over = Figures(flagged, flagged + j, flagged, universe)
    subset = Figures(flagged - j, flagged - j, flagged, universe)
    scores = selection_score(over, 0.9, 0.9), selection_score(subset, 0.9, 0.9)
    if 1.0 not in scores:
        assert scores[0] <= scores[1]


def test_flows_select_everything_scores_zero_and_the_universe_is_the_capture() -> None:
    checker = registry().get("flows")
    params = checker.parse_params({})
    flows = []
    with SYNSCAN.open("rb") as fh:
        for _ts, buf in dpkt.pcapng.Reader(fh):
            ip = dpkt.ethernet.Ethernet(buf).data
            a = f"{'.'.join(map(str, ip.src))}:{ip.data.sport}"
            b = f"{'.'.join(map(str, ip.dst))}:{ip.data.dport}"
            flows.append(checker.normalize_expected(f"tcp {a} {b}", params))
    every = sorted(set(flows))
    open_ports = [f for f in every if any(f"64.13.134.52:{p} <->" in f for p in (22, 53, 80))]
    everything = checker.judge("\n".join(every), Key(values=tuple(every)[:-3]), params, CTX)
    assert f"of {len(every)} flows flagged" in everything.feedback
    # Everything but three flows is flagged here, so selecting everything is chance.
    assert everything.score == 0.0
    assert len(open_ports) >= 3
    right = checker.judge("\n".join(open_ports), Key(values=tuple(open_ports)), params, CTX)
    assert right.status is Status.CORRECT
