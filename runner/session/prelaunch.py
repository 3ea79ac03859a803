"""Start a scenario's container while dflab is still validating the scenario.

Creating and starting a container is mostly waiting on the engine, and
validating a scenario is mostly Python work (importing the checkers, building
models), so ``dflab start`` overlaps the two. The early start uses the parsed
scenario before validation (and the profile, read strictly); the session uses
the container only if the fully validated scenario describes exactly the same
lab, and removes it otherwise. Evidence is hashed (regular files only) before
anything is created, so tampered evidence still never reaches a lab.

Generated evidence is made after validation, so the early lab mounts an empty
placeholder at each generated file's path, and the variant is made while the
container starts. Docker binds the file it finds when the container starts: the
placeholder or, if generation was quicker, the finished file (written beside it and
renamed over it). :meth:`Prelaunch.fill` then writes the finished bytes into the
placeholder through the descriptor held open since it was made, and checks them
against the variant's SHA-256, so whichever the container bound holds the verified
evidence before the trainee is let in; any mismatch drops the early lab.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import threading
import uuid
from pathlib import Path

from runner.backends import get_backend
from runner.backends.base import Backend, LabHandle, LabSpec, Limits
from runner.errors import DflabError
from runner.evidence.manifest import resolve_evidence, sha256_file
from runner.home import Home
from runner.scenario.i18n import pick_text
from runner.scenario.profiles import load_profile
from runner.scenario.yamlsrc import Source
from runner.session.labspec import make_spec


class Prelaunch:
    """A container being started in the background for a session not yet created."""

    def __init__(self, backend: Backend, spec: LabSpec, hashes: list[tuple[Path, str]],
                 placeholders: dict[str, int] | None = None,
                 variant_dir: Path | None = None) -> None:
        self.backend = backend
        self.spec = spec
        self.session_id = spec.session_id
        self._hashes = hashes
        self._placeholders = dict(placeholders or {})  # evidence name -> open descriptor
        self._spoiled = False  # fill found the placeholders unusable
        self._variant_dir = variant_dir  # where the placeholders were made
        self._handle: LabHandle | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="dflab-prelaunch")
        self._thread.start()

    def _run(self) -> None:
        try:
            if any(sha256_file(path) != digest for path, digest in self._hashes):
                return  # the normal path reports the mismatch and starts nothing
            # A missing image fails here; the normal path then builds it, with progress.
            self._handle = self.backend.prepare(self.spec)
        except BaseException as exc:  # reported, if it matters, by the normal path
            self._error = exc

    def fill(self, made: list[tuple[str, Path, str]]) -> bool:
        """Write each generated file (name, finished file, its SHA-256) into the placeholder
        the early lab may have bound; False (the early lab is then unusable) on a mismatch."""
        ok = len(made) == len(self._placeholders)
        try:
            for name, path, digest in made if ok else []:
                fd = self._placeholders.get(name)
                if fd is None:
                    ok = False
                    break
                with path.open("rb") as src:
                    os.ftruncate(fd, 0)
                    os.lseek(fd, 0, os.SEEK_SET)
                    while chunk := src.read(1 << 20):
                        view = memoryview(chunk)
                        while view:  # os.write may write less than it is given
                            view = view[os.write(fd, view):]
                os.fsync(fd)
                if _fd_sha256(fd) != digest:
                    ok = False
                    break
        except OSError:
            ok = False
        finally:
            self._close_placeholders()
        self._spoiled = not ok
        return ok

    def take(self, spec: LabSpec) -> LabHandle | None:
        """The started lab if ``spec`` is the one it was started for; else None."""
        self._thread.join()
        if (self._handle is not None and spec == self.spec and not self._placeholders
                and not self._spoiled):
            return self._handle
        self.cancel()
        return None

    def _close_placeholders(self) -> None:
        for fd in self._placeholders.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._placeholders.clear()

    def discard(self) -> None:
        """Cancel, and remove the placeholders too: no session will use this variant folder
        (the scenario failed validation)."""
        self.cancel()
        if self._variant_dir is not None:
            shutil.rmtree(self._variant_dir, ignore_errors=True)

    def cancel(self) -> None:
        """Remove whatever the early start created."""
        self._thread.join()
        self._close_placeholders()
        if self._handle is not None:
            handle, self._handle = self._handle, None
            with contextlib.suppress(DflabError):
                self.backend.stop(handle, remove_work=True)


def prelaunch(source: Source, home: Path, backend_name: str | None, lang: str
              ) -> Prelaunch | None:
    """Start the lab of the scenario read into ``source``, when that is possible and worth it.

    ``source`` is the one parse of the scenario file: validation reuses it
    (``load_scenario(path, source=source)``), so the file is read once. Only
    Docker labs are started early (a local workspace is instant). Anything
    unusual in the scenario simply means no early start; validation reports it.
    """
    if backend_name not in (None, "docker"):
        return None
    try:
        backend = get_backend("docker")
        if backend_name is None and not backend.available():
            return None
        spec, hashes, generated = _early_spec(source, home, lang)
        placeholders = _placeholders(generated)
    except (DflabError, OSError, KeyError, TypeError, ValueError, AttributeError):
        return None
    folder = Home(home).variant_dir(spec.session_id) if generated else None
    return Prelaunch(backend, spec, hashes, placeholders, folder)


def _early_spec(source: Source, home: Path, lang: str
                ) -> tuple[LabSpec, list[tuple[Path, str]], dict[str, Path]]:
    """The lab the raw scenario describes, its shipped files' hashes, and where each
    generated file will be (the session's variant folder, as materialize writes it)."""
    data, path = source.data, source.path
    profile = load_profile(str(data.get("lab", "network")), path)
    limits = Limits(**profile.limits.model_dump())
    session_id = uuid.uuid4().hex[:12]
    evidence, hashes = [], []
    generated: dict[str, Path] = {}
    for item in data.get("evidence") or []:
        if "generate" in item:
            if not item.get("name"):  # its default name needs the generator: no early start
                raise ValueError("generated evidence without a name")
            generated[str(item["name"])] = Home(home).variant_dir(session_id) / item["name"]
            continue
        file = resolve_evidence(path.parent, item["file"])
        if not stat.S_ISREG(file.stat().st_mode):
            raise ValueError(file)  # a device or FIFO is refused by validation, never read
        evidence.append((item.get("name") or Path(item["file"]).name, file))
        hashes.append((file, str(item["sha256"]).lower()))
    # materialize lists the generated files after the shipped ones
    evidence += list(generated.items())
    spec = make_spec(home, session_id, scenario_id=str(data["id"]),
                     title=pick_text(data.get("title"), lang), profile=profile.id,
                     image=profile.image, limits=limits, evidence=tuple(evidence),
                     lang=lang)
    return spec, hashes, generated


def _placeholders(generated: dict[str, Path]) -> dict[str, int]:
    """An empty file at each generated file's path, held open (see the module's doc)."""
    opened: dict[str, int] = {}
    try:
        for name, target in generated.items():
            if Path(name).name != name or name in ("", ".", ".."):
                raise ValueError(name)  # validation refuses it; no early start
            target.parent.mkdir(parents=True, exist_ok=True)
            opened[name] = os.open(target, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                                   0o644)
    except BaseException:
        for fd in opened.values():
            os.close(fd)
        raise
    return opened


def _fd_sha256(fd: int) -> str:
    digest = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 1 << 20):
        digest.update(chunk)
    return digest.hexdigest()
