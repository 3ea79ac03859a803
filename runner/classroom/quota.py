"""The /work quota of Docker labs, watched (Docker's local volumes cannot be size-limited).

Every :data:`EVERY_ROUNDS` reconcile rounds the class server measures each
served lab's ``/work``. Over the profile's ``work_mb`` it tells the trainer
(one line in the ``class serve`` output) and the trainee (a notice file at the
top of ``/work``), once per crossing; back under, the notice is removed. It
does not stop writes: see ``docs/classroom.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from runner.backends.base import LAB_WORK_DIR, Backend, LabHandle, LabSpec
from runner.errors import DflabError

EVERY_ROUNDS = 15  # about every 30 s at the server's 2 s round
NOTICE = f"{LAB_WORK_DIR}/DFLAB-QUOTA-WARNING.txt"
QUOTA_KEY = "work-over-quota"  # class_meta: the seats over their quota, comma-separated


class Lab(Protocol):
    """What the watch needs of a served lab (``runner.session.runtime.Running`` fits)."""

    backend: Backend
    handle: LabHandle
    spec: LabSpec


@dataclass
class WorkQuota:
    """Remembers which seats are over their quota, so each crossing is said once."""

    log: Callable[[str], None]
    over: set[str] = field(default_factory=set)

    def check(self, labs: Iterable[tuple[str, Lab]]) -> list[str]:
        """Measure each ``(seat, running lab)``; the seats over quota now."""
        for seat, running in labs:
            limit = running.spec.limits.work_mb * 1024 * 1024
            try:
                used = running.backend.work_usage(running.handle)
            except DflabError:
                continue  # a stopped or paused lab: measured next time
            if used is None:
                continue
            if used > limit and seat not in self.over:
                self.over.add(seat)
                self._warn(seat, running, used, limit)
            elif used <= limit and seat in self.over:
                self.over.discard(seat)
                running.backend.run(running.handle, running.spec, ["rm", "-f", NOTICE])
                self.log(f"seat {seat}: /work back under its quota")
        return sorted(self.over)

    def _warn(self, seat: str, running: Lab, used: int, limit: int) -> None:
        mb, cap = used >> 20, limit >> 20
        self.log(f"seat {seat}: /work holds {mb} MB, over its {cap} MB quota "
                 "(not enforced: the trainee has been told to free space)")
        text = (f"Your /work folder holds {mb} MB, over the {cap} MB this lab allows.\n"
                "Delete what you no longer need (ls -la /work; rm FILE), or your trainer "
                "may stop the lab.\n")
        try:
            running.backend.run(running.handle, running.spec,
                                ["sh", "-c", 'printf "%s" "$1" > "$2"', "sh", text, NOTICE])
        except DflabError as exc:
            self.log(f"seat {seat}: could not leave the quota notice ({exc.one_line()})")
