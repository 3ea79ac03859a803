"""The runner image's wheelhouse: source-only dependencies are found in pip's report."""

from __future__ import annotations

from runner.backends.wheelhouse import _no_wheel

REPORT = ("ERROR: Cannot install dflab because these package versions have conflicting "
          "dependencies.\n"
          """
The conflict is caused by:
    python-evtx 0.8.1 depends on hexdump>=3.3
    extract-msg 0.57.0 depends on red-black-tree-mod<=1.23 and >=1.20

""" "Additionally, some packages in these conflicts have no matching distributions available "
          """for your environment:
    hexdump
    red-black-tree-mod

To fix this you could try to:
""")


def test_source_only_dependencies_are_named_from_pips_report():
    assert _no_wheel(REPORT) == ["hexdump", "red-black-tree-mod"]


def test_a_report_without_them_names_none():
    assert _no_wheel("ERROR: No matching distribution found for docker>=7.1\n") == []
