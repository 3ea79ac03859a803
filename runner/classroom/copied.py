"""Likely copied answers: wrong for the trainee's own variant, right for another seat's.

When every seat has its own generated evidence, a value that only another seat's
variant makes correct is most likely that seat's answer passed along. Each wrong typed
answer of a seat is judged against the other seats' keys of the same scenario with the
task's own checker; a match flags the task (the export and the board show it).
"""

from __future__ import annotations

from collections.abc import Mapping

from runner.checkers.base import JudgeContext, Key, Status
from runner.scenario.loader import LoadedScenario
from runner.session.keys import key_from_json
from runner.session.store import Store

NO_EVIDENCE = JudgeContext(evidence={})


def copied_flags(store: Store, loaded: LoadedScenario, sessions: Mapping[str, str]
                 ) -> dict[tuple[str, str], list[str]]:
    """``(seat, task) -> seats`` whose variant accepts an answer that the seat's own
    variant rejected; only for scenarios that generate evidence per seat."""
    if not any(g.seed == "seat" for g in loaded.generated) or len(sessions) < 2:
        return {}
    keys: dict[str, dict[str, Key]] = {
        seat: {t: key_from_json(k) for t, (k, _) in store.keys(sid).items()}
        for seat, sid in sessions.items() if sid}
    flags: dict[tuple[str, str], list[str]] = {}
    for seat, sid in sessions.items():
        if not sid:
            continue
        for attempt in store.attempts(sid):
            if attempt.kind != "answer" or attempt.status == Status.CORRECT.value:
                continue
            compiled = loaded.answers.get(attempt.task_id)
            if compiled is None:
                continue
            for other, their in keys.items():
                key = their.get(attempt.task_id)
                if other == seat or key is None or key == keys[seat].get(attempt.task_id):
                    continue
                verdict = compiled.checker.judge(attempt.raw, key, compiled.params, NO_EVIDENCE)
                if verdict.status is Status.CORRECT:
                    found = flags.setdefault((seat, attempt.task_id), [])
                    if other not in found:
                        found.append(other)
    return flags
