"""Hypothesis over mutated samples of every file kind: flipped bytes, overwritten runs
and truncation. Each mutant gives facts (with warnings) or one EvidenceError; any other
exception, or a hang (pytest-timeout), fails. Bounded to seconds per kind."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.files.conftest import sample
from runner.errors import DflabError
from runner.evidence.kinds.dispatch import analyze_evidence

pytestmark = pytest.mark.timeout(300)

SAMPLES = {
    "mailbox": ["mailparser_test_7.eml", "mboxparser_testbox.mbox", "mailparser_outlook_1.msg"],
    "picture": ["rwgoexif_sample1.jpg", "goexif_gps.jpg"],
    "document": ["plaso_Document.docx", "pdfminer_f1040nr.pdf"],
    "sqlite": ["plaso_android_contacts2.db", "plaso_chrome_History"],
    "evtx": ["evtxattack_LM_sysmon_psexec_smb_meterpreter.evtx"],
    "hive": ["plaso_SAM"],
}

Mutation = tuple[int, int, bytes]  # (position as a fraction of 10^6, run length, bytes)


def mutate(data: bytes, edits: list[Mutation], cut: int | None) -> bytes:
    out = bytearray(data)
    for where, _, payload in edits:
        # Mutations cluster in the first 64 KiB half the time: headers, EXIF, ZIP entries
        pos = (where * len(out) // 1_000_000) if where % 2 else where % min(len(out), 65536)
        out[pos:pos + len(payload)] = payload
    if cut is not None:
        out = out[: max(1, cut * len(out) // 1000)]
    return bytes(out[: len(data)])


edits = st.lists(st.tuples(st.integers(0, 999_999), st.just(0), st.binary(min_size=1,
                                                                             max_size=16)),
                 min_size=1, max_size=8)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_mutated_samples_give_facts_or_one_clear_error(kind: str) -> None:
    originals = {name: sample(name).read_bytes() for name in SAMPLES[kind]}

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(name=st.sampled_from(sorted(originals)), edits=edits,
           cut=st.none() | st.integers(1, 999))
    def check(name: str, edits: list[Mutation], cut: int | None) -> None:
        with tempfile.TemporaryDirectory(prefix="dflab-fuzz-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(mutate(originals[name], edits, cut))
            try:
                facts = analyze_evidence(path)
            except DflabError as exc:  # one clear error naming the file
                assert (exc.where is not None and name in exc.where) or name in str(exc), exc
                return
            assert all(isinstance(w, str) for w in facts.warnings)

    check()
