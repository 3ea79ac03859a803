"""Reading the host's apt sources (deb822 and classic) to find the Debian mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.backends import aptsources as apt

DEB822 = """\
Types: deb
# a comment
URIs: http://mirror.lan/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://mirror.lan/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: https://packages.vendor.example/apt
Suites: vendor-bookworm
Components: main
"""

CLASSIC = """\
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/k.gpg] http://classic.lan/debian/ bookworm main
deb-src http://classic.lan/debian bookworm main
deb http://classic.lan/debian bookworm-updates main non-free
"""


def test_deb822_stanzas() -> None:
    found = apt.parse_deb822(DEB822)
    assert [s.uri for s in found] == ["http://mirror.lan/debian",
                                     "http://mirror.lan/debian-security",
                                     "https://packages.vendor.example/apt"]
    assert found[0].suites == ("bookworm", "bookworm-updates")


def test_classic_lines() -> None:
    found = apt.parse_list(CLASSIC)
    assert [(s.uri, s.suites) for s in found] == [
        ("http://classic.lan/debian", ("bookworm",)),
        ("http://classic.lan/debian", ("bookworm-updates",))]
    assert found[0].signed_by == "/k.gpg"


def test_host_sources_and_mirror(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(DEB822)
    (tmp_path / "sources.list.d" / "x.list.disabled").write_text(CLASSIC)
    found = apt.host_sources(tmp_path)
    assert apt.main_mirror(found, "bookworm") == "http://mirror.lan/debian"
    rendered = apt.render_deb822(apt.debian_sources(found, "bookworm"))
    assert "vendor" not in rendered and "bookworm-security" in rendered
    assert "Components: main\n" in rendered


def test_no_mirror_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="MIRROR=URL"):
        apt.main_mirror(apt.host_sources(tmp_path), "bookworm")
