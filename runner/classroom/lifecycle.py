"""Creating a class and starting every seat's labs, in parallel with bounded concurrency."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.classroom.credentials import hash_password, new_password, new_seed
from runner.classroom.roster import Trainee
from runner.classroom.store import ClassRow, ClassStore, LabRow, SeatRow
from runner.classroom.variants import VariantMaker
from runner.errors import DflabError, ExitCode, InputError, NotFoundError, RefusedError
from runner.generate.materialize import SEED_BITS
from runner.generate.seeds import derive_seed
from runner.home import Home
from runner.scenario.loader import LoadedScenario, load_scenario
from runner.session.keys import resolve_keys
from runner.session.runtime import Running, reopen_session, start_session

_NAME_OK = "abcdefghijklmnopqrstuvwxyz0123456789-_."


class StartInterrupted(DflabError):
    """Ctrl-C during ``class start``: the labs made so far are recorded and running."""

    code = ExitCode.INTERRUPTED


@dataclass(frozen=True)
class Outcome:
    """What happened to one seat's lab on start: its session, or the error."""

    seat: str
    scenario: str
    session_id: str = ""
    error: str = ""


def check_class_name(name: str) -> None:
    if not name or len(name) > 40 or any(c not in _NAME_OK for c in name.lower()):
        raise InputError(f"'{name}' cannot be a class name",
                         fix="use letters, digits, '-', '_' or '.', at most 40")


CLOCKS = ("start", "first-login")  # when a seat's time box starts


def create_class(home: Path, name: str, scenarios: list[Path], roster: list[Trainee],
                 minutes: int | None, lang: str = "en", clock: str = "start",
                 seed: int | None = None) -> list[tuple[Trainee, str]]:
    """Store a class and a seat per trainee; each seat's password (shown only now).

    Each seat's variant seed is derived from the class seed (``seed``, default a new
    random one) and the seat id, so the same class seed gives every seat the same
    variant again and neighbouring seats' variants are unrelated.
    """
    check_class_name(name)
    if clock not in CLOCKS:
        raise InputError(f"--clock must be one of {', '.join(CLOCKS)}, not '{clock}'",
                         fix="--clock first-login starts each seat's time at its first login")
    if minutes is not None and minutes <= 0:
        raise InputError(f"--minutes must be positive, not {minutes}", fix="e.g. --minutes 90")
    loaded = [load_scenario(path) for path in scenarios]
    by_id = {sc.id: str(sc.path.resolve()) for sc in loaded}
    if len(by_id) != len(loaded):
        raise InputError("the same scenario is named twice", fix="name each scenario once")
    issued = [(t, new_password()) for t in roster]
    class_seed = new_seed() if seed is None else seed
    seats = [(t, hash_password(pw), seat_seed(class_seed, t.seat)) for t, pw in issued]
    with Home(home).classes() as classes:
        classes.create(name, by_id, minutes, lang, seats)
        classes.set_meta(name, "clock", clock)
    return issued


def delete_class(home: Path, name: str, *, force: bool = False) -> dict[str, Any]:
    """Forget a class (seats, passwords, labs, grades); its sessions stay for the record.

    Refused while a seat's lab runs, and for a class never exported unless ``force``.
    """
    with Home(home).classes() as classes:
        classes.get(name)
        labs = classes.labs(name)
        running = [lab.seat for lab in labs if lab.session_id
                   and classes.store.session(lab.session_id).status == "active"]
        if running:
            raise RefusedError(f"class '{name}' still has {len(running)} lab(s) running "
                               f"(seat {running[0]}...)",
                               fix=f"'dflab class collect {name}' or 'dflab class stop {name}'"
                               " first")
        if not classes.meta(name, "exported_at") and not force:
            raise RefusedError(f"class '{name}' was never exported: its results would be lost",
                               fix=f"'dflab class export {name}' first, or add --yes")
        seats = len(classes.seats(name))
        classes.delete(name)
        return {"class": name, "deleted": True, "seats": seats,
                "sessions_kept": sorted({lab.session_id for lab in labs if lab.session_id})}


def seat_seed(class_seed: int, seat: str) -> int:
    """A seat's variant seed: from the class seed and the seat id (31 bits)."""
    return derive_seed(class_seed, "seat", seat) % (1 << SEED_BITS)


def load_class_scenarios(cls: ClassRow, *, verify: bool = False) -> dict[str, LoadedScenario]:
    """The class's scenarios by id (evidence hashes checked only when ``verify``)."""
    out = {}
    for scenario_id, path in cls.scenarios.items():
        if not Path(path).is_file():
            raise NotFoundError(f"scenario file of class '{cls.name}' is gone: {path}",
                                fix="put the file back where the class was created")
        out[scenario_id] = load_scenario(Path(path), verify_evidence=verify)
    return out


def start_class(home: Path, name: str, *, backend_name: str = "docker", parallel: int = 4,
                seats: Iterable[str] | None = None,
                progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Start (or adopt) every seat's labs; a seat that fails never stops the others."""
    with Home(home).classes() as classes:
        cls = classes.get(name)
        loaded = load_class_scenarios(cls, verify=True)
        for scenario in loaded.values():  # compute keys once, not once per seat
            if not scenario.generated:  # (a generated one's keys are per seat)
                resolve_keys(scenario, cache_dir=Home(home).cache)
        wanted = set(seats) if seats is not None else None
        idle = ("paused", "stopped", "ended")
        rows = {s.seat: s for s in classes.seats(name)
                if (wanted is None or s.seat in wanted) and s.status not in idle}
        if wanted is not None and (missing := wanted - {s.seat for s in classes.seats(name)}):
            raise NotFoundError(f"no seat '{sorted(missing)[0]}' in class '{name}'",
                                fix=f"'dflab class status {name}' lists the seats")
        jobs = [lab for lab in classes.labs(name) if lab.seat in rows]
        maker = VariantMaker(home, [(lab.seat, loaded[lab.scenario_id], rows[lab.seat].seed)
                                    for lab in jobs if loaded[lab.scenario_id].generated
                                    and not _active(classes, lab)],
                             classes.prepared(name))
        try:
            outcomes, interrupted = _run_jobs(
                [(_start_one, home, classes, name, rows[lab.seat], lab,
                  loaded[lab.scenario_id], backend_name, maker) for lab in jobs],
                parallel, progress)
        finally:
            maker.close()
        on_login = classes.meta(name, "clock", "start") == "first-login"
        _mark_seats(classes, name, rows.values(), outcomes, clock_now=not on_login)
        if interrupted:
            raise StartInterrupted(
                f"interrupted: {sum(1 for o in outcomes if not o.error)} of {len(jobs)} labs "
                "running, no more are being created",
                fix=f"'dflab class start {name}' starts the rest")
        return sorted(outcomes, key=lambda o: (o.seat, o.scenario))


def prepare_variants(home: Path, name: str,
                     progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Make every seat's variant of the class's generated scenarios now (the seeds are
    known), so ``class start`` only checks them; ``progress(done, total)``. A variant that
    fails is an outcome with its error: the start makes it again and reports it."""
    with Home(home).classes() as classes:
        loaded = {k: sc for k, sc in load_class_scenarios(classes.get(name)).items()
                  if sc.generated}
        wanted = [(seat.seat, sc, seat.seed) for seat in classes.seats(name)
                  for sc in loaded.values()]
        outcomes: list[Outcome] = []
        if progress is not None:
            progress(0, len(wanted))
        maker = VariantMaker(home, wanted, every=True)
        try:
            for seat, scenario_id, session_id, error in maker.finished():
                if not error:
                    classes.set_prepared(name, seat, scenario_id, session_id)
                outcomes.append(Outcome(seat, scenario_id, session_id, error))
                if progress is not None:
                    progress(len(outcomes), len(wanted))
        finally:
            maker.close()
        return outcomes


def _run_jobs(jobs: list[tuple[Any, ...]], parallel: int,
              progress: Callable[[Outcome], None] | None) -> tuple[list[Outcome], bool]:
    """Run start jobs in a pool; on Ctrl-C no new lab is begun, the ones underway finish
    (a half-made lab would run unrecorded), and whether that happened."""
    outcomes: list[Outcome] = []
    pool = ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="dflab-seat")
    futures = [pool.submit(*job) for job in jobs]
    seen: set[Future[Outcome]] = set()
    try:
        for future in as_completed(futures):
            seen.add(future)
            outcomes.append(future.result())
            if progress is not None:
                progress(outcomes[-1])
    except KeyboardInterrupt:
        pool.shutdown(wait=True, cancel_futures=True)
        outcomes += [f.result() for f in futures if f not in seen and not f.cancelled()]
        return outcomes, True
    pool.shutdown(wait=True)
    return outcomes, False


def _active(classes: ClassStore, lab: LabRow) -> bool:
    return bool(lab.session_id) and classes.store.session(lab.session_id).status == "active"


def _start_one(home: Path, classes: ClassStore, name: str, seat: SeatRow, lab: LabRow,
               loaded: LoadedScenario, backend_name: str, maker: VariantMaker) -> Outcome:
    running: Running | None = None
    try:
        if _active(classes, lab):
            running = reopen_session(home, lab.session_id)
        else:
            running = start_session(home, loaded, backend_name=backend_name,
                                    lang=seat.lang, trainee=seat.trainee_id, seat=seat.seat,
                                    seed=seat.seed,
                                    session_id=maker.session_id(seat.seat, lab.scenario_id))
            running.store.event(running.row.id, "class-seat", cls=name, seat=seat.seat,
                                seed=seat.seed)
        classes.set_lab(name, seat.seat, lab.scenario_id, session_id=running.row.id)
        return Outcome(seat.seat, lab.scenario_id, running.row.id)
    except DflabError as exc:
        classes.set_lab(name, seat.seat, lab.scenario_id, error=exc.one_line())
        return Outcome(seat.seat, lab.scenario_id, lab.session_id, exc.one_line())
    finally:
        if running is not None:
            running.close()


def release(running: Running) -> None:
    """Close what a :class:`Running` holds open (kept for callers; see ``Running.close``)."""
    running.close()


def _mark_seats(classes: ClassStore, name: str, seats: Iterable[SeatRow],
                outcomes: list[Outcome], *, clock_now: bool = True) -> None:
    now = time.time()
    for seat in seats:
        mine = [o for o in outcomes if o.seat == seat.seat]
        if not mine:
            continue
        if any(not o.error for o in mine):
            # With the first-login clock the gateway starts it (ClassStore.start_clock).
            classes.update_seat(name, seat.seat, status="running",
                                started_at=seat.started_at or (now if clock_now else None))
        else:
            classes.update_seat(name, seat.seat, status="failed")
