"""Creating a class and starting every seat's labs, in parallel with bounded concurrency."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from runner.classroom.credentials import hash_password, new_password, new_seed
from runner.classroom.roster import Trainee
from runner.classroom.store import ClassRow, ClassStore, LabRow, SeatRow
from runner.errors import DflabError, InputError, NotFoundError
from runner.home import Home
from runner.scenario.loader import LoadedScenario, load_scenario
from runner.session.keys import resolve_keys
from runner.session.runtime import Running, reopen_session, start_session

_NAME_OK = "abcdefghijklmnopqrstuvwxyz0123456789-_."


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


def create_class(home: Path, name: str, scenarios: list[Path], roster: list[Trainee],
                 minutes: int | None, lang: str = "en") -> list[tuple[Trainee, str]]:
    """Store a class and a seat per trainee; each seat's password (shown only now)."""
    check_class_name(name)
    if minutes is not None and minutes <= 0:
        raise InputError(f"--minutes must be positive, not {minutes}", fix="e.g. --minutes 90")
    loaded = [load_scenario(path) for path in scenarios]
    by_id = {sc.id: str(sc.path.resolve()) for sc in loaded}
    if len(by_id) != len(loaded):
        raise InputError("the same scenario is named twice", fix="name each scenario once")
    issued = [(t, new_password()) for t in roster]
    seats = [(t, hash_password(pw), new_seed()) for t, pw in issued]
    with Home(home).classes() as classes:
        classes.create(name, by_id, minutes, lang, seats)
    return issued


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
            resolve_keys(scenario, cache_dir=Home(home).cache)
        wanted = set(seats) if seats is not None else None
        idle = ("paused", "stopped", "ended")
        rows = {s.seat: s for s in classes.seats(name)
                if (wanted is None or s.seat in wanted) and s.status not in idle}
        if wanted is not None and (missing := wanted - {s.seat for s in classes.seats(name)}):
            raise NotFoundError(f"no seat '{sorted(missing)[0]}' in class '{name}'",
                                fix=f"'dflab class status {name}' lists the seats")
        jobs = [lab for lab in classes.labs(name) if lab.seat in rows]
        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(max_workers=max(1, parallel),
                                thread_name_prefix="dflab-seat") as pool:
            futures = [pool.submit(_start_one, home, classes, name, rows[lab.seat], lab,
                                   loaded[lab.scenario_id], backend_name) for lab in jobs]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
        _mark_seats(classes, name, rows.values(), outcomes)
        return sorted(outcomes, key=lambda o: (o.seat, o.scenario))


def _start_one(home: Path, classes: ClassStore, name: str, seat: SeatRow, lab: LabRow,
               loaded: LoadedScenario, backend_name: str) -> Outcome:
    running: Running | None = None
    try:
        if lab.session_id and classes.store.session(lab.session_id).status == "active":
            running = reopen_session(home, lab.session_id)
        else:
            running = start_session(home, loaded, backend_name=backend_name,
                                    lang=seat.lang, trainee=seat.trainee_id, seat=seat.seat)
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
                outcomes: list[Outcome]) -> None:
    now = time.time()
    for seat in seats:
        mine = [o for o in outcomes if o.seat == seat.seat]
        if not mine:
            continue
        if any(not o.error for o in mine):
            classes.update_seat(name, seat.seat, status="running",
                                started_at=seat.started_at or now)
        else:
            classes.update_seat(name, seat.seat, status="failed")
