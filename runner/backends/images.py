"""Build the lab images (and the runner image) offline, skipping what is up to date.

Each target's build context is assembled in memory (its Dockerfile, the shared
``images/common`` files, the ``lab`` client) and hashed together with the base
image's id; the hash is stored as an image label, so a rebuild happens only
when something that goes into the image changed. The default base is
bootstrapped from the host's Debian mirror (``images/base/build-base.sh``), so
no container registry is ever needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from runner.backends import docker as dk
from runner.backends import wheelhouse
from runner.errors import BackendError, NotFoundError
from runner.paths import project_root

DEFAULT_BASE = "dflab/debian-base:bookworm"
RUNNER = "runner"
RUNNER_IMAGE = "dflab/runner:latest"
LABEL_PROFILE = "dflab.profile"
LABEL_HASH = "dflab.context-hash"
LABEL_BASE = "dflab.base"
LAB_CLIENT = Path(__file__).resolve().parent.parent / "session" / "labclient.py"
LAB_TEXT = LAB_CLIENT.with_name("labtext.py")


class Reporter(Protocol):
    """Where build progress goes (the CLI renders it with rich on stderr)."""

    def step(self, target: str, text: str) -> None: ...

    def log(self, target: str, line: str) -> None: ...

    def done(self, target: str, text: str) -> None: ...


class QuietReporter:
    """Discards progress; keeps the last lines for error messages."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def step(self, target: str, text: str) -> None:
        self.lines.append(f"{target}: {text}")

    def log(self, target: str, line: str) -> None:
        self.lines = [*self.lines[-49:], line]

    def done(self, target: str, text: str) -> None:
        self.lines.append(f"{target}: {text}")


@dataclass(frozen=True)
class Target:
    """One image to build: its tag and the files of its build context."""

    name: str
    tag: str
    files: dict[str, Path] = field(default_factory=dict)  # name in context -> host file


@dataclass(frozen=True)
class Built:
    """Outcome of one target: the image id and whether it was (re)built."""

    name: str
    tag: str
    image_id: str
    built: bool


def _with_tag(image: str) -> str:
    return image if ":" in image.rsplit("/", 1)[-1] else f"{image}:latest"


def profile_image(profile: str, root: Path | None = None) -> str:
    """The image a lab profile names (``labs/<profile>.yaml``, key ``image``).

    The profile is read by the one profile reader (same strict YAML rules as a
    scenario's); ``root`` replaces the project's ``labs/`` folder when given.
    """
    from runner.scenario.problems import ScenarioError
    from runner.scenario.profiles import read_profile

    path = (root or project_root()) / "labs" / f"{profile}.yaml"
    if not path.is_file():
        raise NotFoundError(f"no lab profile '{profile}'", where=str(path),
                            fix="see 'dflab images list' for the known profiles")
    try:
        return _with_tag(read_profile(path, profile).image)
    except ScenarioError as exc:
        raise BackendError(f"unreadable lab profile: {exc.message}", where=exc.where,
                           fix=exc.fix) from None


def lab_target(profile: str, root: Path | None = None) -> Target:
    """The build target of a lab profile: ``images/<profile>/`` + common files + lab client."""
    root = root or project_root()
    folder = root / "images" / profile
    if not (folder / "Dockerfile").is_file():
        raise NotFoundError(f"no Dockerfile for lab profile '{profile}'", where=str(folder),
                            fix="add images/<profile>/Dockerfile")
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}
    common = root / "images" / "common"
    files |= {f"common/{p.relative_to(common).as_posix()}": p
              for p in sorted(common.rglob("*")) if p.is_file()}
    files["lab"] = LAB_CLIENT
    files["common/labtext.py"] = LAB_TEXT  # the client's messages: COPY common/ -> /opt/dflab
    return Target(profile, profile_image(profile, root), files)


def runner_target(root: Path | None = None, wheels: Path | None = None) -> Target:
    """The runner image: top-level Dockerfile, a wheelhouse, and the catalogue folders."""
    root = root or project_root()
    wheels = wheels or root / "build" / "runner-wheels"
    files = {"Dockerfile": root / "Dockerfile"}
    files |= {f"wheels/{p.name}": p for p in sorted(wheels.glob("*.whl"))}
    for folder in ("scenarios", "labs", "pcaps", "images"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[f"share/{path.relative_to(root).as_posix()}"] = path
    return Target(RUNNER, RUNNER_IMAGE, files)


def known_profiles(root: Path | None = None) -> list[str]:
    """Profiles in ``labs/`` that have an image folder."""
    root = root or project_root()
    return sorted(p.stem for p in (root / "labs").glob("*.yaml")
                  if (root / "images" / p.stem / "Dockerfile").is_file())


def context_tar(target: Target) -> bytes:
    """The build context as a deterministic tar (fixed owner and times)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, path in sorted(target.files.items()):
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if (os.access(path, os.X_OK) or name == "lab") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def context_hash(context: bytes, base_id: str, args: dict[str, str]) -> str:
    digest = hashlib.sha256(context)
    digest.update(base_id.encode())
    digest.update(json.dumps(args, sort_keys=True).encode())
    return digest.hexdigest()


def ensure_base(client: Any, base: str, reporter: Reporter, root: Path | None = None) -> str:
    """The base image's id; bootstrapped with debootstrap (default base) or pulled."""
    found = dk.find_image(client, base)
    if found is not None:
        return str(found.id)
    if base != DEFAULT_BASE:
        reporter.step(base, "pulling")
        with dk.engine_errors(f"pulling base image {base}"):
            return str(client.images.pull(base).id)
    script = (root or project_root()) / "images" / "base" / "build-base.sh"
    repo, tag = base.rsplit(":", 1)
    with tempfile.TemporaryDirectory(prefix="dflab-base-") as tmp:
        out = Path(tmp) / "rootfs.tar"
        reporter.step(base, "debootstrap from the host's apt mirror")
        _run_logged([str(script), str(out)], base, reporter)
        reporter.step(base, "importing")
        with dk.engine_errors(f"importing {base}"):
            client.api.import_image(src=str(out), repository=repo, tag=tag,
                                    changes=['CMD ["/bin/bash"]'])
    return str(client.images.get(base).id)


def _run_logged(argv: list[str], target: str, reporter: Reporter) -> None:
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            reporter.log(target, line.rstrip())
    if proc.returncode != 0:
        raise BackendError(f"{argv[0]} failed (exit {proc.returncode})", where=target,
                           fix="read its output above; is the apt mirror reachable?")


def build_target(client: Any, target: Target, *, base: str, reporter: Reporter,
                 force: bool = False, network: str | None = None) -> Built:
    """Build one target unless an image with the same context hash exists."""
    base_id = ensure_base(client, base, reporter)
    context = context_tar(target)
    args = {"BASE": base}
    digest = context_hash(context, base_id, args)
    current = dk.find_image(client, target.tag)
    if current is not None and not force and current.labels.get(LABEL_HASH) == digest:
        reporter.done(target.name, f"{target.tag} is up to date")
        return Built(target.name, target.tag, str(current.id), built=False)
    reporter.step(target.name, f"building {target.tag}")
    labels = {LABEL_PROFILE: target.name, LABEL_HASH: digest, LABEL_BASE: base}
    with dk.engine_errors(f"building {target.tag}"):
        stream = client.api.build(fileobj=io.BytesIO(context), custom_context=True,
                                  tag=target.tag, buildargs=args, labels=labels, rm=True,
                                  forcerm=True, pull=False, decode=True, network_mode=network)
        _follow(stream, target, reporter)
        image_id = str(client.images.get(target.tag).id)
    if current is not None and str(current.id) != image_id:
        _drop_replaced(client, str(current.id))
    reporter.done(target.name, f"built {target.tag}")
    return Built(target.name, target.tag, image_id, built=True)


def _drop_replaced(client: Any, image_id: str) -> None:
    """Remove the image a rebuild replaced, so a classroom server does not fill its disk
    with untagged old builds; one still used by a lab stays."""
    with contextlib.suppress(Exception):
        client.images.remove(image_id, noprune=False)


def _follow(stream: Iterable[dict[str, Any]], target: Target, reporter: Reporter) -> None:
    for chunk in stream:
        if "error" in chunk:
            raise BackendError(f"building {target.tag} failed: {str(chunk['error']).strip()}",
                               fix="read the build output above; is the apt mirror reachable?")
        for line in str(chunk.get("stream", chunk.get("status", ""))).splitlines():
            if line.startswith("Step "):
                reporter.step(target.name, line)
            elif line.strip():
                reporter.log(target.name, line)


def build_images(names: Iterable[str] = (), *, force: bool = False, base: str | None = None,
                 reporter: Reporter | None = None, network: str | None = None) -> list[Built]:
    """Build the named targets (lab profiles, or ``runner``); all lab profiles by default."""
    reporter = reporter or QuietReporter()
    base = base or os.environ.get("DFLAB_IMAGE_BASE") or DEFAULT_BASE
    network = network or os.environ.get("DFLAB_BUILD_NETWORK") or None
    wanted = list(names) or known_profiles()
    if RUNNER in wanted:
        reporter.step(RUNNER, "collecting wheels")
        wheelhouse.build(project_root(), project_root() / "build" / "runner-wheels", reporter)
    targets = [runner_target() if n == RUNNER else lab_target(n) for n in wanted]
    client = dk.connect()
    try:
        return [build_target(client, t, base=base, reporter=reporter, force=force,
                             network=network) for t in targets]
    finally:
        client.close()


def ensure_image(profile: str, image: str | None = None,
                 reporter: Reporter | None = None) -> str:
    """The tag of a profile's image, built first if missing (``dflab start`` calls this).

    A present but out-of-date image is used as is, with a note to rebuild:
    starting a lab should not silently turn into a long build.
    """
    reporter = reporter or QuietReporter()
    tag = _with_tag(image) if image else profile_image(profile)
    client = dk.connect()
    try:
        current = dk.find_image(client, tag)
        if current is None:
            target = lab_target(profile)
            built = build_target(client, Target(target.name, tag, target.files),
                                 base=os.environ.get("DFLAB_IMAGE_BASE") or DEFAULT_BASE,
                                 reporter=reporter)
            return built.tag
        if LABEL_HASH in current.labels and _stale(client, profile, current):
            reporter.done(profile, f"{tag} is out of date (run 'dflab images build {profile}')")
        return tag
    finally:
        client.close()


def _stale(client: Any, profile: str, image: Any) -> bool:
    base = image.labels.get(LABEL_BASE, DEFAULT_BASE)
    found = dk.find_image(client, base)
    if found is None:
        return True
    digest = context_hash(context_tar(lab_target(profile)), str(found.id), {"BASE": base})
    return bool(image.labels.get(LABEL_HASH) != digest)


def list_images() -> list[dict[str, Any]]:
    """One row per target: tag, present, up to date, size, created."""
    rows = []
    client = dk.connect()
    try:
        for name in [*known_profiles(), RUNNER]:
            tag = RUNNER_IMAGE if name == RUNNER else profile_image(name)
            image = dk.find_image(client, tag)
            row: dict[str, Any] = {"target": name, "image": tag, "present": image is not None}
            if image is not None:
                row["size_mb"] = round(image.attrs.get("Size", 0) / 1e6, 1)
                row["created"] = image.attrs.get("Created", "")[:19]
                if name != RUNNER:
                    row["up_to_date"] = not _stale(client, name, image)
            rows.append(row)
    finally:
        client.close()
    return rows
