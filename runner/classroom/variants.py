"""Seats' variants generated in worker processes while the start pool starts containers.

Generating a capture is CPU work and starting a container is mostly waiting on the
engine, so a class start hands the variants to a process pool (one worker per core)
and each seat's start job takes its variant as soon as it is ready: seat B's
variant is generated while seat A's container starts. A worker writes the files and
``variant.json`` into the seat's session folder; the session start then finds the
variant there (same scenario, stories and seed) and only checks its hashes. A worker
that fails changes nothing: the seat's start generates the variant itself and
reports any error the normal way.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path

from runner.home import Home
from runner.scenario.loader import LoadedScenario, load_scenario

MIN_LABS = 4  # fewer variants are made faster in the start jobs than workers start up


class VariantMaker:
    """Variants of new seat sessions, made ahead in worker processes."""

    def __init__(self, home: Path, wanted: list[tuple[str, LoadedScenario, int]]) -> None:
        """``wanted``: (seat, scenario, seed) of each new lab with generated evidence."""
        self._ahead: dict[tuple[str, str], tuple[str, Future[None]]] = {}
        self._pool: ProcessPoolExecutor | None = None
        if len(wanted) < MIN_LABS:
            return
        workers = max(1, min(len(wanted), os.cpu_count() or 1))
        # spawn: the parent runs threads, and forking a threaded process can deadlock
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        for seat, loaded, seed in wanted:
            session_id = uuid.uuid4().hex[:12]
            folder = Home(home).variant_dir(session_id)
            future = self._pool.submit(make_variant, str(loaded.path), seed, str(folder))
            self._ahead[(seat, loaded.id)] = (session_id, future)

    def session_id(self, seat: str, scenario_id: str) -> str | None:
        """The session id whose variant was made ahead for this lab (waits for it), or None
        when it was not (the start then generates it)."""
        ahead = self._ahead.get((seat, scenario_id))
        if ahead is None:
            return None
        session_id, future = ahead
        try:
            future.result()
        except (BrokenProcessPool, Exception):  # any failure: the start makes it and reports
            return None
        return session_id

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def make_variant(scenario: str, seed: int, folder: str) -> None:
    """In a worker: generate one variant of ``scenario`` into ``folder``."""
    from runner.generate.materialize import materialize

    materialize(_scenario(scenario, os.stat(scenario).st_mtime_ns), seed, Path(folder))


@lru_cache(maxsize=8)
def _scenario(path: str, _mtime: int) -> LoadedScenario:
    return load_scenario(Path(path), verify_evidence=False)
