"""Seats' variants for a class start: in the start jobs, or in worker processes when slow.

Starting a container is mostly waiting on the engine, so the start pool's threads
already overlap one seat's variant with other seats' container starts. That is the
fastest way while a variant takes a fraction of a second (the shipped stories take
tens of milliseconds): a worker process costs about a second to start. So the first
seat's variant of each scenario is made here and timed; when it took longer than
:data:`SLOW_SECONDS`, the other seats' variants go to a process pool (one worker per
core, beside the threads that start containers), and each seat's start job takes its
variant when ready. A worker writes the files and ``variant.json`` into the seat's
session folder; the session start finds the variant there (same scenario, stories and
seed) and only checks its hashes. A worker that fails changes nothing: the seat's
start makes the variant itself and reports any error the normal way.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

from runner.errors import DflabError
from runner.generate.materialize import materialize
from runner.home import Home
from runner.scenario.loader import LoadedScenario, load_scenario

SLOW_SECONDS = 0.5  # a variant slower than this is made in worker processes


class VariantMaker:
    """Variants of new seat sessions, made ahead where that is faster."""

    def __init__(self, home: Path, wanted: list[tuple[str, LoadedScenario, int]]) -> None:
        """``wanted``: (seat, scenario, seed) of each new lab with generated evidence."""
        self._home = home
        self._ahead: dict[tuple[str, str], tuple[str, Future[None]]] = {}
        self._pool: ProcessPoolExecutor | None = None
        by_scenario: dict[str, list[tuple[str, LoadedScenario, int]]] = {}
        for job in wanted:
            by_scenario.setdefault(job[1].id, []).append(job)
        for jobs in by_scenario.values():
            if self._timed_first(jobs[0]) > SLOW_SECONDS and len(jobs) > 1:
                for seat, loaded, seed in jobs[1:]:
                    self._submit(seat, loaded, seed)

    def _timed_first(self, job: tuple[str, LoadedScenario, int]) -> float:
        seat, loaded, seed = job
        session_id = uuid.uuid4().hex[:12]
        done: Future[None] = Future()
        began = time.perf_counter()
        try:
            materialize(loaded, seed, Home(self._home).variant_dir(session_id))
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
        future = self._pool.submit(make_variant, str(loaded.path), seed, str(folder))
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

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def make_variant(scenario: str, seed: int, folder: str) -> None:
    """In a worker: generate one variant of ``scenario`` into ``folder``."""
    materialize(_scenario(scenario, os.stat(scenario).st_mtime_ns), seed, Path(folder))


@lru_cache(maxsize=8)
def _scenario(path: str, _mtime: int) -> LoadedScenario:
    return load_scenario(Path(path), verify_evidence=False)
