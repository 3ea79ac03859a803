"""Seats' variants: made when the class is created, or at its start when they are not.

``dflab class create`` knows every seat's seed, so it makes the seats' variants there
(:meth:`VariantMaker.finished`, with a progress bar) and records, per seat and scenario,
the session id whose variant folder holds it. ``class start`` then finds each variant
ready: the session start only checks its files against the recorded SHA-256 (the same
check as shipped evidence) before the lab starts. A variant made from an older scenario
or story (its ``variant.json`` fingerprint differs) is thrown away and made again.

A variant not made ahead is made at the start: starting a container is mostly waiting
on the engine, so the start pool's threads overlap one seat's variant with other seats'
container starts. That is the fastest way while a variant takes a fraction of a second
(the shipped stories take tens of milliseconds): a worker process costs about a second
to start. So the first seat's variant of each scenario is made here and timed; when it
took longer than :data:`SLOW_SECONDS`, the other seats' variants go to a process pool
(one worker per core). A worker writes the files and ``variant.json`` into the seat's
session folder and warms the facts cache for keys that are fact queries. A worker that
fails changes nothing: the seat's start makes the variant itself and reports any error
the normal way.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path

from runner.errors import DflabError
from runner.generate.materialize import is_current, materialize
from runner.home import Home
from runner.scenario.loader import LoadedScenario, load_scenario
from runner.session.keys import resolve_keys

SLOW_SECONDS = 0.5  # a variant slower than this is made in worker processes

Job = tuple[str, LoadedScenario, int]  # seat, scenario, variant seed


class VariantMaker:
    """Variants of new seat sessions: found made ahead, or made ahead where that is faster."""

    def __init__(self, home: Path, wanted: list[Job],
                 prepared: dict[tuple[str, str], str] | None = None, *,
                 every: bool = False) -> None:
        """``wanted``: (seat, scenario, seed) of each new lab with generated evidence;
        ``prepared``: (seat, scenario id) -> session id of variants made at create;
        ``every``: make fast variants now too (``class create``), not in the start jobs."""
        self._home = home
        self._ahead: dict[tuple[str, str], tuple[str, Future[None]]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._later: list[Job] = []
        by_scenario: dict[str, list[Job]] = {}
        for job in wanted:
            if not self._found((prepared or {}).get((job[0], job[1].id)), job):
                by_scenario.setdefault(job[1].id, []).append(job)
        for jobs in by_scenario.values():
            slow = self._timed_first(jobs[0]) > SLOW_SECONDS
            for job in jobs[1:]:  # fast ones at a start: each start job makes its own
                if slow:
                    self._submit(*job)
                elif every:
                    self._later.append(job)  # made in finished(), with progress

    def _found(self, session_id: str | None, job: Job) -> bool:
        """Whether the variant made at create for ``job`` is still this very variant (a
        stale one is removed: the start makes it again)."""
        if session_id is None:
            return False
        seat, loaded, seed = job
        folder = Home(self._home).variant_dir(session_id)
        if not is_current(loaded, seed, folder):
            shutil.rmtree(folder, ignore_errors=True)
            return False
        done: Future[None] = Future()
        done.set_result(None)
        self._ahead[(seat, loaded.id)] = (session_id, done)
        return True

    def _timed_first(self, job: Job) -> float:
        seat, loaded, seed = job
        session_id = uuid.uuid4().hex[:12]
        done: Future[None] = Future()
        began = time.perf_counter()
        try:
            _make(loaded, seed, Home(self._home).variant_dir(session_id), self._home)
        except DflabError as exc:  # the seat's start reports it
            done.set_exception(exc)
        else:
            done.set_result(None)
        self._ahead[(seat, loaded.id)] = (session_id, done)
        return time.perf_counter() - began

    def _submit(self, seat: str, loaded: LoadedScenario, seed: int) -> None:
        if self._pool is None:
            # spawn: the parent runs threads, and forking a threaded process can deadlock
            self._pool = ProcessPoolExecutor(max(1, os.cpu_count() or 1),
                                             mp_context=multiprocessing.get_context("spawn"))
        session_id = uuid.uuid4().hex[:12]
        folder = Home(self._home).variant_dir(session_id)
        future = self._pool.submit(make_variant, str(loaded.path), seed, str(folder),
                                   str(self._home))
        self._ahead[(seat, loaded.id)] = (session_id, future)

    def session_id(self, seat: str, scenario_id: str) -> str | None:
        """The session id whose variant was made ahead for this lab (waits for it), or None
        when it was not (the start then makes it)."""
        ahead = self._ahead.get((seat, scenario_id))
        if ahead is None:
            return None
        session_id, future = ahead
        try:
            future.result()
        except Exception:  # any failure: the seat's start makes the variant and reports
            return None
        return session_id

    def finished(self) -> Iterator[tuple[str, str, str, str]]:
        """Every variant as it is ready: seat, scenario id, session id, and the error
        (empty when it was made); for making them all at ``class create``."""
        later, self._later = self._later, []
        pooled = [key for key, (_, future) in self._ahead.items() if not future.done()]
        for key in [k for k in self._ahead if k not in pooled]:
            yield self._outcome(key)
        for seat, loaded, seed in later:  # fast ones, one by one in this process
            self._timed_first((seat, loaded, seed))
            yield self._outcome((seat, loaded.id))
        keys = {self._ahead[key][1]: key for key in pooled}
        for future in as_completed(keys):
            yield self._outcome(keys[future])

    def _outcome(self, key: tuple[str, str]) -> tuple[str, str, str, str]:
        session_id, future = self._ahead[key]
        error = future.exception()
        return key[0], key[1], session_id, "" if error is None else _one_line(error)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def make_variant(scenario: str, seed: int, folder: str, home: str) -> None:
    """In a worker: generate one variant of ``scenario`` into ``folder``."""
    _make(_scenario(scenario, os.stat(scenario).st_mtime_ns), seed, Path(folder), Path(home))


def _make(loaded: LoadedScenario, seed: int, folder: Path, home: Path) -> None:
    # Keys that are fact queries read the variant's capture: computing them here fills
    # the facts cache (by the file's SHA-256), so the session start finds them made.
    made = materialize(loaded, seed, folder)
    if any(a.query is not None for a in made.answers.values()):
        resolve_keys(made, cache_dir=Home(home).cache)


def _one_line(error: BaseException) -> str:
    return error.one_line() if isinstance(error, DflabError) else f"{type(error).__name__}: {error}"


@lru_cache(maxsize=8)
def _scenario(path: str, _mtime: int) -> LoadedScenario:
    return load_scenario(Path(path), verify_evidence=False)
