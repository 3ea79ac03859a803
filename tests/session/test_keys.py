"""Answer keys computed from the evidence, with provenance, on a shipped capture."""

from __future__ import annotations

from pathlib import Path

from runner import __version__
from runner.scenario.loader import load_scenario
from runner.session.keys import resolve_keys

ROOT = Path(__file__).resolve().parents[2]


def test_query_keys_resolve_from_the_capture_with_provenance(tmp_path):
    loaded = load_scenario(ROOT / "scenarios" / "port-scan-triage.yaml")
    keys = resolve_keys(loaded, cache_dir=tmp_path)
    scanner, provenance = keys["scanner"]
    assert scanner.values == ("172.16.0.8",)
    assert provenance["source"] == "evidence"
    assert provenance["evidence_sha256"] == loaded.evidence[0].sha256
    assert provenance["dflab_version"] == __version__
    assert sorted(keys["open-ports"][0].values) == [22, 53, 80]
    literal, lit_prov = keys["scan-type"]
    assert lit_prov["source"] == "scenario" and literal.values
    assert list((tmp_path / "facts").glob("*.json"))  # cached by evidence hash
