"""A session's life: start (checks, keys, lab), serve, attach, stop, resume.

The CLI and the classroom both drive labs through these functions, so a seat
and a solo trainee get exactly the same checks and the same protocol.
"""

from __future__ import annotations

import getpass
import hashlib
import secrets
import shutil
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.backends import choose_backend, get_backend
from runner.backends.base import LAB_SOCKET_NAME, Backend, LabHandle, LabSpec, Limits
from runner.backends.images import Reporter
from runner.errors import DflabError, RefusedError
from runner.evidence.manifest import check_manifest, require_intact
from runner.generate.materialize import SEED_BITS, materialize
from runner.home import Home
from runner.scenario.loader import LoadedScenario, load_scenario
from runner.scenario.model import pick_text
from runner.session.freeze import lab_frozen
from runner.session.keys import key_to_json, resolve_keys
from runner.session.labspec import make_spec
from runner.session.prelaunch import Prelaunch
from runner.session.server import ServiceThread
from runner.session.service import LabLink, SessionService
from runner.session.store import SessionRow, Store


def open_store(home: Path) -> Store:
    """The session store of the dflab home at ``home`` (the caller closes it)."""
    return Home(home).store()


@dataclass
class Running:
    """A session whose lab exists: everything needed to serve and attach to it.

    It owns its store connection and its backend (an engine connection): close it,
    or use it as a context manager. Pausing goes through it so that the lab's
    frozen state has one owner (see :mod:`runner.session.freeze`).
    """

    store: Store
    row: SessionRow
    loaded: LoadedScenario
    backend: Backend
    handle: LabHandle
    spec: LabSpec
    home: Path

    def link(self) -> LabLink:
        """How a session service reaches this lab to copy submitted files out."""
        where = Home(self.home)
        return LabLink(self.backend, self.handle, where.artifact_dir(self.row.id),
                       self.spec.limits.artifact_mb * 1024 * 1024,
                       freeze_lock=where.freeze_lock(self.row.id))

    def serve(self, rate_per_minute: int = 30) -> ServiceThread:
        service = SessionService(self.store, self.row.id, self.loaded, self.link(),
                                 self.row.lang, rate_per_minute)
        return self.listen(service)

    def listen(self, service: SessionService, log: Callable[[str], None] | None = None
               ) -> ServiceThread:
        """Serve ``service`` on this lab's socket, reachable by the lab's user only; ``log``
        takes the service's (rate-limited) complaints, stderr by default."""
        where = self.spec.service_dir / LAB_SOCKET_NAME
        if log is None:
            return ServiceThread(service, where, lab_uid=self.backend.lab_uid)
        return ServiceThread(service, where, lab_uid=self.backend.lab_uid, log=log)

    def pause(self) -> bool:
        """Freeze the lab (a trainer's pause); waits for a file copy in flight."""
        with lab_frozen(Home(self.home).freeze_lock(self.row.id)):
            return bool(self.handle.ref) and self.backend.pause(self.handle)

    def unpause(self) -> bool:
        """Thaw a lab frozen by :meth:`pause`."""
        with lab_frozen(Home(self.home).freeze_lock(self.row.id)):
            return bool(self.handle.ref) and self.backend.unpause(self.handle)

    def close(self) -> None:
        """Close the engine connection and the store connection (idempotent)."""
        self.backend.close()
        self.store.close()

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_spec(home: Path, session_id: str, loaded: LoadedScenario, lang: str, seat: str = ""
               ) -> LabSpec:
    limits = loaded.profile.limits
    return make_spec(
        home, session_id, scenario_id=loaded.id, title=pick_text(loaded.model.title, lang),
        profile=loaded.profile.id, image=loaded.profile.image,
        limits=Limits(limits.memory_mb, limits.cpus, limits.pids, limits.work_mb,
                      limits.artifact_mb),
        evidence=tuple((e.name, e.path) for e in loaded.evidence), seat=seat, lang=lang)


def ensure_lab_image(backend: Backend, loaded: LoadedScenario,
                     reporter: Reporter | None) -> None:
    """Build the profile's image on first use, so a fresh machine needs no extra step."""
    if backend.name == "docker":
        from runner.backends.images import ensure_image

        ensure_image(loaded.profile.id, loaded.profile.image, reporter=reporter)


def start_session(home: Path, loaded: LoadedScenario, *, backend_name: str | None, lang: str,
                  trainee: str | None = None, seat: str = "",
                  reporter: Reporter | None = None, early: Prelaunch | None = None,
                  seed: int | None = None, session_id: str | None = None) -> Running:
    """Check the evidence, store the session and its keys, and prepare its lab.

    ``early`` is a lab already being started from the raw scenario: it is used
    when it matches the validated scenario exactly, and removed otherwise. A scenario
    with generated evidence gets the variant of ``seed`` (default: a new random one),
    reused from the session's variant folder when a worker made it ahead (``session_id``).
    """
    undo = ExitStack()  # on any failure, close what was opened
    try:
        if early is not None:
            undo.callback(early.cancel)
        if early is not None:
            session_id = early.session_id
        session_id = session_id or uuid.uuid4().hex[:12]
        meta: dict[str, Any] = {}
        if loaded.generated:
            seed = secrets.randbits(SEED_BITS) if seed is None else seed
            meta["variant_seed"] = seed
            loaded = materialize(loaded, seed, Home(home).variant_dir(session_id))
            if early is not None:  # the early lab may have bound placeholders: fill them
                names = {g.name for g in loaded.generated}
                early.fill([(e.name, e.path, e.sha256) for e in loaded.evidence
                            if e.name in names])
        checks = check_manifest(loaded.evidence)
        require_intact(checks, "before the lab starts")
        backend = early.backend if early is not None else choose_backend(backend_name)
        undo.callback(backend.close)
        ensure_lab_image(backend, loaded, reporter)
        store = undo.enter_context(open_store(home))
        keys = resolve_keys(loaded, cache_dir=Home(home).cache)
        store.create_session(
            id=session_id, scenario_id=loaded.id, scenario_path=str(loaded.path),
            scenario_sha256=loaded.sha256, title=pick_text(loaded.model.title, lang),
            lang=lang, trainee=trainee or getpass.getuser(), seat=seat, backend=backend.name,
            meta=meta)
        if early is not None:
            undo.pop_all()  # the early lab is the session's now: no more cancel
            undo.callback(backend.close)
            undo.enter_context(store)
        store.save_keys(session_id, {t: (key_to_json(k), prov) for t, (k, prov) in keys.items()})
        for check, ev in zip(checks, loaded.evidence, strict=True):
            store.record_evidence(session_id, ev.name, str(ev.path), ev.sha256, "start",
                                  check.actual)
        if loaded.variant is not None:  # the audit trail: which stories, seeds and hashes
            store.event(session_id, "variant", **loaded.variant.provenance())
        spec = build_spec(home, session_id, loaded, lang, seat)
        handle = (early.take(spec) if early is not None else None) or backend.prepare(spec)
        store.update_session(session_id, lab_ref=handle.ref)
        store.event(session_id, "lab-started", backend=backend.name, ref=handle.ref)
        return Running(store, store.session(session_id), loaded, backend, handle, spec, home)
    except BaseException:
        undo.close()
        raise


def session_variant(home: Path, row: SessionRow, loaded: LoadedScenario) -> LoadedScenario:
    """The scenario as this session's variant (its files generated again if they are gone:
    the same seed gives the same bytes)."""
    seed = row.meta.get("variant_seed")
    if not loaded.generated or seed is None:
        return loaded
    return materialize(loaded, int(seed), Home(home).variant_dir(row.id))


def find_session(store: Store, session_id: str | None) -> SessionRow:
    """The named session, or the newest active one."""
    if session_id is not None:
        return store.session(session_id)
    active = store.sessions("active")
    if not active:
        raise RefusedError("no active session", fix="start one with 'dflab start SCENARIO'")
    return active[-1]


def existing_session(home: Path, session_id: str | None) -> Running:
    """A session's lab as stored, without creating anything (for stop and reports)."""
    undo = ExitStack()
    try:
        store = undo.enter_context(open_store(home))
        row = find_session(store, session_id)
        loaded = session_variant(home, row,
                                 load_scenario(Path(row.scenario_path), verify_evidence=False))
        spec = build_spec(home, row.id, loaded, row.lang, row.seat)
        backend = undo.enter_context(get_backend(row.backend))
        return Running(store, row, loaded, backend,
                       LabHandle(row.backend, row.id, row.lab_ref), spec, home)
    except BaseException:
        undo.close()
        raise


def reopen_session(home: Path, session_id: str | None,
                   reporter: Reporter | None = None) -> Running:
    """Find a session (default: the newest active one) and adopt or re-create its lab."""
    undo = ExitStack()
    try:
        store = undo.enter_context(open_store(home))
        row = find_session(store, session_id)
        if row.status != "active":
            raise RefusedError(f"session {row.id} is {row.status}",
                               fix="start a new one with 'dflab start " + row.scenario_id + "'")
        loaded = session_variant(home, row, load_scenario(Path(row.scenario_path)))
        if loaded.sha256 != row.scenario_sha256:
            store.event(row.id, "scenario-changed", now=loaded.sha256, was=row.scenario_sha256)
        backend = undo.enter_context(get_backend(row.backend))
        spec = build_spec(home, row.id, loaded, row.lang, row.seat)
        require_intact(check_manifest(loaded.evidence), "on resume")
        ensure_lab_image(backend, loaded, reporter)
        handle = backend.prepare(spec)
        store.update_session(row.id, lab_ref=handle.ref)
        store.event(row.id, "resumed", ref=handle.ref)
        return Running(store, store.session(row.id), loaded, backend, handle, spec, home)
    except BaseException:
        undo.close()
        raise


def verify_at_stop(running: Running) -> list[str]:
    """Hash the evidence the lab saw; record it; names of files that changed."""
    paths = running.backend.evidence_paths(running.handle, running.spec)
    changed = []
    for ev in running.loaded.evidence:
        target = paths.get(ev.name, ev.path)
        actual = check_manifest([ev], {ev.name: target})[0].actual if target.exists() else "missing"
        running.store.record_evidence(running.row.id, ev.name, str(ev.path), ev.sha256, "stop",
                                      actual)
        if actual != ev.sha256:
            changed.append(ev.name)
    if changed:
        running.store.event(running.row.id, "evidence-mismatch", files=changed)
    return changed


def work_archive(home: Path, session_id: str) -> Path:
    """Where a session's work folder is archived before dflab deletes it."""
    return Home(home).work_archive(session_id)


def archive_work(running: Running) -> Path | None:
    """Keep a tar.gz of the lab's work folder with the session (recorded as an event)."""
    target = work_archive(running.home, running.row.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not running.backend.archive_work(running.handle, running.spec, target):
        return None
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    running.store.event(running.row.id, "work-archived", path=str(target), sha256=digest,
                        bytes=target.stat().st_size)
    return target


def stop_session(running: Running, *, remove: bool = True) -> list[str]:
    """Verify evidence, then stop (and optionally remove) the lab; mark the session.
    Before removing the work folder, an archive of it is kept under the home."""
    changed = verify_at_stop(running)
    if remove:
        archive_work(running)
    running.backend.stop(running.handle, remove_work=remove)
    running.store.update_session(running.row.id, status="stopped")
    running.store.event(running.row.id, "stopped", removed=remove)
    return changed


def collect_garbage(home: Path, *, dry_run: bool = False, work: bool = True,
                    keep_work: frozenset[str] = frozenset(),
                    keep_variants: frozenset[str] = frozenset()) -> list[str]:
    """Remove what labs of this home left behind, except the active sessions' labs:
    each available backend's leftovers, then the socket folders. Trainees' work
    (``volume ...``, ``work ...``) only with ``work``, never of sessions in
    ``keep_work``; variant folders of ``keep_variants`` stay. What was (with
    ``dry_run``: would be) removed."""
    with open_store(home) as store:
        active = frozenset(row.id for row in store.sessions("active"))
    where = Home(home)
    removed: list[str] = []
    for name in ("local", "docker"):
        try:
            with get_backend(name) as backend:
                if backend.available():
                    removed += backend.gc(where, active, dry_run=dry_run, work=work,
                                          keep_work=keep_work)
        except DflabError:
            continue
    leftovers = [*(where.run.glob("*") if where.run.is_dir() else []),
                 # generated evidence of ended sessions: its seed makes it again if needed
                 *(where.variants.glob("*") if where.variants.is_dir() else [])]
    for child in sorted(leftovers):
        if child.name not in active and child.name not in keep_variants:
            if not dry_run:
                shutil.rmtree(child, ignore_errors=True)
            removed.append(str(child))
    return removed


__all__ = ["Running", "reopen_session", "start_session", "stop_session"]
