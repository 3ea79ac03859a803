"""Read the host's apt sources, so offline image builds use the mirror the host uses.

Classrooms are often air-gapped with a local Debian mirror and no container
registry; the lab base image is then bootstrapped from whatever mirror the host
already trusts. Nothing here hard-codes a mirror host. Standard library only:
``images/base/build-base.sh`` runs it with the system ``python3`` as
``python3 -m runner.backends.aptsources --shell``.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

APT_DIR = Path("/etc/apt")


@dataclass(frozen=True)
class AptSource:
    """One ``deb`` line (classic) or one deb822 stanza, expanded per URI."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    signed_by: str = ""


def parse_deb822(text: str) -> list[AptSource]:
    """Parse a deb822 ``.sources`` file; disabled stanzas and ``deb-src`` are skipped."""
    sources: list[AptSource] = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = ""
        for line in stanza.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line[0] in " \t" and key:  # continuation line
                fields[key] += " " + line.strip()
                continue
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            sources.append(
                AptSource(
                    uri=uri.rstrip("/"),
                    suites=tuple(fields.get("suites", "").split()),
                    components=tuple(fields.get("components", "").split()),
                    signed_by=fields.get("signed-by", ""),
                )
            )
    return sources


def parse_list(text: str) -> list[AptSource]:
    """Parse a classic one-line ``sources.list``; options in ``[...]`` are read for signed-by."""
    sources: list[AptSource] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        rest = line[4:].strip()
        options = ""
        if rest.startswith("["):
            options, _, rest = rest[1:].partition("]")
        words = rest.split()
        if len(words) < 2:
            continue
        signed = re.search(r"signed-by=(\S+)", options)
        sources.append(
            AptSource(
                uri=words[0].rstrip("/"),
                suites=(words[1],),
                components=tuple(words[2:]),
                signed_by=signed.group(1) if signed else "",
            )
        )
    return sources


def host_sources(apt_dir: Path = APT_DIR) -> list[AptSource]:
    """Every enabled ``deb`` source of the host, classic list first, then the folder."""
    found: list[AptSource] = []
    classic = apt_dir / "sources.list"
    if classic.is_file():
        found += parse_list(classic.read_text(errors="replace"))
    folder = apt_dir / "sources.list.d"
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix == ".list":
                found += parse_list(path.read_text(errors="replace"))
            elif path.suffix == ".sources":
                found += parse_deb822(path.read_text(errors="replace"))
    return found


def debian_sources(sources: list[AptSource], suite: str) -> list[AptSource]:
    """The sources serving ``suite`` (and its -updates/-security) with ``main``.

    Third-party repositories (cloud SDKs, node) carry other suite names and
    drop out here, so they never reach a lab image.
    """
    wanted = {suite, f"{suite}-updates", f"{suite}-security", f"{suite}/updates"}
    kept = []
    for src in sources:
        suites = tuple(s for s in src.suites if s in wanted)
        if suites and "main" in src.components:
            kept.append(AptSource(src.uri, suites, ("main",), src.signed_by))
    return kept


def main_mirror(sources: list[AptSource], suite: str) -> str:
    """The URI serving the release ``suite`` itself (what debootstrap needs)."""
    for src in debian_sources(sources, suite):
        if suite in src.suites:
            return src.uri
    raise LookupError(
        f"no apt source serves '{suite}' main in {APT_DIR} "
        "(fix: add the Debian mirror to /etc/apt/sources.list.d, or pass MIRROR=URL)"
    )


def render_deb822(sources: list[AptSource]) -> str:
    """A deb822 ``debian.sources`` for the image, keyring pinned to Debian's archive key."""
    stanzas = []
    for src in sources:
        stanzas.append(
            "Types: deb\n"
            f"URIs: {src.uri}\n"
            f"Suites: {' '.join(src.suites)}\n"
            f"Components: {' '.join(src.components)}\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )
    return "\n".join(stanzas)


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="aptsources", description=__doc__)
    parser.add_argument("--suite", default="bookworm")
    parser.add_argument("--apt-dir", default=str(APT_DIR))
    parser.add_argument("--shell", action="store_true", help="print MIRROR=... for sh eval")
    parser.add_argument("--sources", action="store_true", help="print a deb822 file")
    args = parser.parse_args(argv)
    found = host_sources(Path(args.apt_dir))
    try:
        mirror = main_mirror(found, args.suite)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    if args.sources:
        print(render_deb822(debian_sources(found, args.suite)), end="")
    else:
        print(f"MIRROR={shlex.quote(mirror)}")
    return 0


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
