"""Start a scenario's container while dflab is still validating the scenario.

Creating and starting a container is mostly waiting on the engine, and
validating a scenario is mostly Python work (importing the checkers, building
models), so ``dflab start`` overlaps the two. The early start uses the parsed
scenario before validation (and the profile, read strictly); the session uses
the container only if the fully validated scenario describes exactly the same
lab, and removes it otherwise. Evidence is hashed (regular files only) before
anything is created, so tampered evidence still never reaches a lab.
"""

from __future__ import annotations

import contextlib
import stat
import threading
import uuid
from pathlib import Path

from runner.backends import get_backend
from runner.backends.base import Backend, LabHandle, LabSpec, Limits
from runner.errors import DflabError
from runner.evidence.manifest import resolve_evidence, sha256_file
from runner.scenario.i18n import pick_text
from runner.scenario.profiles import load_profile
from runner.scenario.yamlsrc import Source
from runner.session.labspec import make_spec


class Prelaunch:
    """A container being started in the background for a session not yet created."""

    def __init__(self, backend: Backend, spec: LabSpec, hashes: list[tuple[Path, str]]) -> None:
        self.backend = backend
        self.spec = spec
        self.session_id = spec.session_id
        self._hashes = hashes
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

    def take(self, spec: LabSpec) -> LabHandle | None:
        """The started lab if ``spec`` is the one it was started for; else None."""
        self._thread.join()
        if self._handle is not None and spec == self.spec:
            return self._handle
        self.cancel()
        return None

    def cancel(self) -> None:
        """Remove whatever the early start created."""
        self._thread.join()
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
        spec, hashes = _early_spec(source, home, lang)
    except (DflabError, OSError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return Prelaunch(backend, spec, hashes)


def _early_spec(source: Source, home: Path, lang: str
                ) -> tuple[LabSpec, list[tuple[Path, str]]]:
    data, path = source.data, source.path
    profile = load_profile(str(data.get("lab", "network")), path)
    limits = Limits(**profile.limits.model_dump())
    evidence, hashes = [], []
    for item in data.get("evidence") or []:
        if "generate" in item:
            # Generated files exist only once the variant is made (after validation),
            # and a lab never starts before its evidence is final and hashed.
            raise ValueError("generated evidence: no early start")
        file = resolve_evidence(path.parent, item["file"])
        if not stat.S_ISREG(file.stat().st_mode):
            raise ValueError(file)  # a device or FIFO is refused by validation, never read
        evidence.append((item.get("name") or Path(item["file"]).name, file))
        hashes.append((file, str(item["sha256"]).lower()))
    spec = make_spec(home, uuid.uuid4().hex[:12], scenario_id=str(data["id"]),
                     title=pick_text(data.get("title"), lang), profile=profile.id,
                     image=profile.image, limits=limits, evidence=tuple(evidence),
                     lang=lang)
    return spec, hashes
