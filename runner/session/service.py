"""The session service: judges what the in-lab ``lab`` client sends, one session per socket.

The socket itself is the trainee's identity: each session (and each classroom
seat) has its own socket, so a lab can only ever answer as itself.
"""

from __future__ import annotations

import collections
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.backends.base import Backend, LabHandle
from runner.checkers.base import Checker, JudgeContext, Key, Status, Verdict
from runner.digest import sha256_file
from runner.errors import DflabError, InputError, NotFoundError, RefusedError
from runner.scenario.loader import LoadedScenario
from runner.scenario.model import Task, pick_text
from runner.session.freeze import lab_frozen
from runner.session.keys import key_from_json
from runner.session.labtext import tr
from runner.session.protocol import MAX_ANSWER_BYTES, OPS, PROTOCOL_VERSION
from runner.session.scoring import (
    Tally,
    TaskScore,
    TaskState,
    attempt_limit,
    exhausted,
    score_task,
    session_scores,
    settled,
    summary,
    task_summary,
)
from runner.session.store import Store

# How long a submission waits for a free judge before the trainee is told to retry.
JUDGE_WAIT = 30.0
# Per session: every correct submission is kept (reports cite it), and the newest
# KEEP_OTHER wrong or invalid ones; older ones are deleted. Disk use per seat is
# therefore at most (file tasks + KEEP_OTHER) x the profile's artifact_mb.
KEEP_OTHER = 3
CORRECT_SUFFIX = "-correct"


@dataclass
class LabLink:
    """How the service reaches the lab to copy a submitted file out."""

    backend: Backend
    handle: LabHandle
    artifact_dir: Path
    max_bytes: int
    freeze_lock: Path | None = None

    def fetch(self, lab_path: str, stamp: str) -> Path:
        """Copy ``lab_path`` out of the lab, holding the lab's freeze lock so a trainer's
        pause neither interleaves with the copy's own freeze nor is undone by it."""
        if self.freeze_lock is None:
            return self.backend.fetch(self.handle, lab_path, self.artifact_dir / stamp,
                                      self.max_bytes)
        with lab_frozen(self.freeze_lock):
            return self.backend.fetch(self.handle, lab_path, self.artifact_dir / stamp,
                                      self.max_bytes)


class SessionService:
    """Answers ``lab`` requests for one session. ``handle`` is pure and testable."""

    def __init__(self, store: Store, session_id: str, loaded: LoadedScenario,
                 link: LabLink | None, lang: str = "en", rate_per_minute: int = 30,
                 judges: threading.Semaphore | None = None) -> None:
        self.store = store
        self.session_id = session_id
        self.loaded = loaded
        self.link = link
        self.lang = lang
        self.keys = {t: key_from_json(k) for t, (k, _) in store.keys(session_id).items()}
        self.rate_per_minute = rate_per_minute
        self._recent: collections.deque[float] = collections.deque()
        self.evidence = {e.name: e.path for e in loaded.evidence}
        # Submissions are copied and judged a few at a time (a class shares one pool).
        self.judges = judges if judges is not None else threading.BoundedSemaphore(1)

    def handle(self, request: Any) -> dict[str, Any]:
        """One request in, one reply out; every failure is a reply, never an exception."""
        try:
            if not isinstance(request, dict) or request.get("op") not in OPS:
                raise InputError("unknown request", fix="update the lab client")
            if request.get("v", PROTOCOL_VERSION) != PROTOCOL_VERSION:
                raise InputError("the lab client speaks another protocol version",
                                 fix="rebuild the lab image ('dflab images build --force')")
            data = getattr(self, f"op_{request['op']}")(request)
            return {"ok": True, "data": data}
        except DflabError as exc:
            text = exc.one_line().replace("(fix: ", f"({tr('err.fix', self.lang)}: ")
            return {"ok": False, "error": text, "code": int(exc.code)}

    # -- read-only operations ----------------------------------------------------

    def op_hello(self, _req: dict[str, Any]) -> dict[str, Any]:
        row = self.store.session(self.session_id)
        return {"session": self.session_id, "title": row.title, "lang": self.lang,
                "backend": row.backend}

    def op_tasks(self, _req: dict[str, Any]) -> dict[str, Any]:
        scores = self._scores()
        tasks = []
        for task, score in zip(self.loaded.model.tasks, scores, strict=True):
            tasks.append({
                "id": task.id, "summary": task_summary(task, self.lang), "points": task.points,
                "earned": score.earned, "state": score.state, "attempts": score.attempts,
                "max_attempts": score.max_attempts, "answer_type": task.answer["type"],
                "hints_left": len(task.hints) - score.hints_taken,
            })
        return {"title": pick_text(self.loaded.model.title, self.lang), "tasks": tasks,
                **summary(scores)}

    def op_show(self, req: dict[str, Any]) -> dict[str, Any]:
        task, score = self._task(req)
        attempts = self.store.attempts(self.session_id, task.id)
        closed = exhausted(score) or score.state.solved
        explanation = (self._explanation(task) or None) if closed else None
        question = pick_text(task.question, self.lang)
        # A solved or closed task offers no more hints: they could only cost points.
        hints_left = 0 if closed else len(task.hints) - score.hints_taken
        return {
            "id": task.id, "question": question, "explanation": explanation,
            "points": task.points, "answer_type": task.answer["type"],
            "locked": score.state is TaskState.LOCKED, "requires": task.requires,
            "state": score.state, "earned": score.earned,
            "max_attempts": score.max_attempts, "attempts_left": score.attempts_left,
            "hints_taken": [{"text": pick_text(h.text, self.lang), "cost": h.cost}
                            for h in task.hints[: score.hints_taken]],
            "hints_left": hints_left,
            "next_hint_cost": task.hints[score.hints_taken].cost if hints_left else None,
            "attempts": [{"at": time.strftime("%H:%M:%S", time.localtime(a.at)),
                          "status": a.status, "value": a.raw, "counted": a.counted}
                         for a in attempts],
        }

    def op_score(self, _req: dict[str, Any]) -> dict[str, Any]:
        return summary(self._scores())

    # -- operations that write ---------------------------------------------------

    def op_hint(self, req: dict[str, Any]) -> dict[str, Any]:
        task, _ = self._task(req, open_only=True)
        if not task.hints:
            raise RefusedError(tr("err.no_hints", self.lang, id=task.id),
                               fix=tr("err.no_hints.fix", self.lang, id=task.id))
        index = self.store.add_hint(self.session_id, task.id, [h.cost for h in task.hints])
        hint = task.hints[index]
        return {"text": pick_text(hint.text, self.lang), "cost": hint.cost,
                "hints_left": len(task.hints) - index - 1}

    def op_answer(self, req: dict[str, Any]) -> dict[str, Any]:
        task, _ = self._task(req, open_only=True)
        checker = self.loaded.answers[task.id].checker
        value = req.get("value")
        if not isinstance(value, str):
            raise InputError("no answer given", fix=f"lab answer {task.id} VALUE")
        if len(value.encode("utf-8", "surrogatepass")) > MAX_ANSWER_BYTES:
            raise InputError(f"the answer is over {MAX_ANSWER_BYTES:,} bytes",
                             fix="shorten it, or submit a file with 'lab submit'")
        if not checker.accepts_text:
            raise RefusedError(tr("err.takes_file", self.lang, id=task.id),
                               fix=tr("err.takes_file.fix", self.lang, id=task.id))
        self._throttle()
        verdict = self._judge(checker, task, lambda c, k, p, ctx: c.judge(value, k, p, ctx))
        return self._record(task, "answer", value, verdict)

    def op_submit(self, req: dict[str, Any]) -> dict[str, Any]:
        # Attempts are checked before anything is copied: a spent task costs the host nothing.
        task, _ = self._task(req, open_only=True)
        checker = self.loaded.answers[task.id].checker
        lab_path = req.get("path")
        if not isinstance(lab_path, str) or not lab_path:
            raise InputError("no file given", fix=f"lab submit {task.id} /work/FILE")
        if not checker.accepts_file:
            raise RefusedError(tr("err.takes_text", self.lang, id=task.id),
                               fix=tr("err.takes_text.fix", self.lang, id=task.id))
        if self.link is None:
            raise RefusedError("this session cannot receive files", fix="use 'dflab grade'")
        self._throttle()
        if not self.judges.acquire(timeout=JUDGE_WAIT):
            raise RefusedError("the host is judging other submissions",
                               fix="try again in a minute")
        try:
            return self._fetch_and_judge(task, checker, lab_path, self.link)
        finally:
            self.judges.release()

    def _fetch_and_judge(self, task: Task, checker: Checker, lab_path: str, link: LabLink
                         ) -> dict[str, Any]:
        stamp = f"{int(time.time() * 1000)}"
        where = link.artifact_dir / stamp
        correct = False
        try:
            host_copy = link.fetch(lab_path, stamp)
            digest = sha256_file(host_copy)
            verdict = self._judge(checker, task,
                                  lambda c, k, p, ctx: c.judge_file(host_copy, k, p, ctx))
            raw = f"{lab_path} (sha256 {digest}, {host_copy.stat().st_size} bytes)"
            reply = self._record(task, "submit", raw, verdict)
            correct = verdict.status is Status.CORRECT
            return reply
        finally:
            keep_artifacts(link.artifact_dir, where, correct)

    # -- helpers -----------------------------------------------------------------

    def _judge(self, checker: Checker, task: Task, how: Any) -> Verdict:
        compiled = self.loaded.answers[task.id]
        key = self.keys.get(task.id, Key())
        ctx = JudgeContext(evidence=self.evidence)
        verdict: Verdict = how(checker, key, compiled.params, ctx)
        return verdict

    def _record(self, task: Task, kind: str, raw: str, verdict: Verdict) -> dict[str, Any]:
        counted = verdict.status is not Status.INVALID
        self.store.add_attempt(self.session_id, task.id, kind=kind, raw=raw,
                               normalized=verdict.normalized, status=verdict.status.value,
                               score=verdict.score, feedback=verdict.feedback, counted=counted,
                               limit=attempt_limit(task, self.store.grants(self.session_id)))
        score = self._score_of(task.id)
        reply = {"task": task.id, "status": verdict.status.value, "feedback": verdict.feedback,
                 "verdict_feedback": verdict.feedback, "credit": verdict.score,
                 "earned": score.earned, "points": task.points,
                 "attempts_left": score.attempts_left}
        if counted and exhausted(score):
            reply.update(self._closing_note(task, verdict.feedback))
        elif score.state.solved and self._explanation(task):
            reply["explanation"] = self._explanation(task)
        return reply

    def _explanation(self, task: Task) -> str:
        return pick_text(task.explanation, self.lang).strip() if task.explanation else ""

    def _closing_note(self, task: Task, feedback: str) -> dict[str, Any]:
        """What a trainee learns when a task can no longer be solved: its explanation,
        and which tasks that waited for it are open now. (``feedback`` gets them in
        English for scripts; the lab client prints them in the session's language.)"""
        opened = [t.id for t in self.loaded.model.tasks if task.id in t.requires
                  and self._score_of(t.id).state is not TaskState.LOCKED]
        explanation = self._explanation(task)
        note = " No attempts left."
        if explanation:
            note += f" Explanation: {explanation}"
        if opened:
            note += f" Now open: {', '.join(opened)}."
        return {"feedback": feedback + note, "explanation": explanation, "unlocked": opened}

    def _throttle(self) -> None:
        now = time.monotonic()
        while self._recent and now - self._recent[0] > 60:
            self._recent.popleft()
        if len(self._recent) >= self.rate_per_minute:
            wait = int(60 - (now - self._recent[0])) + 1
            raise RefusedError(tr("err.rate", self.lang, limit=self.rate_per_minute),
                               fix=tr("err.rate.fix", self.lang, seconds=wait))
        self._recent.append(now)

    def _scores(self) -> list[TaskScore]:
        return session_scores(self.store, self.session_id, self.loaded.model.tasks)

    def _score_of(self, task_id: str) -> TaskScore:
        # Only this task's rows: the answer path must not slow down as attempts pile up.
        grants = self.store.grants(self.session_id)
        solved = self.store.solved(self.session_id)
        open_ = settled(self.loaded.model.tasks, solved,
                        self.store.attempt_counts(self.session_id), grants)
        return score_task(self.loaded.task(task_id),
                          Tally(*self.store.tally(self.session_id, task_id)),
                          self.store.task_hints(self.session_id, task_id), solved,
                          grants=grants, settled_ids=open_)

    def _task(self, req: dict[str, Any], open_only: bool = False) -> tuple[Task, TaskScore]:
        task_id = req.get("task")
        ids = [t.id for t in self.loaded.model.tasks]
        if task_id not in ids:
            raise NotFoundError(tr("err.no_task", self.lang, id=task_id),
                                fix=tr("err.no_task.fix", self.lang, ids=", ".join(ids)))
        task = self.loaded.task(str(task_id))
        score = self._score_of(task.id)
        if open_only and score.state is TaskState.LOCKED:
            raise RefusedError(tr("err.locked", self.lang, id=task.id),
                               fix=tr("err.locked.fix", self.lang, tasks=", ".join(task.requires)))
        if open_only and score.state.solved:
            raise RefusedError(tr("err.solved", self.lang, id=task.id),
                               fix=tr("err.solved.fix", self.lang))
        if open_only and score.attempts_left == 0:
            raise RefusedError(tr("err.exhausted", self.lang, id=task.id,
                                  limit=score.max_attempts),
                               fix=tr("err.exhausted.fix", self.lang, id=task.id))
        return task, score


def keep_artifacts(root: Path, latest: Path, correct: bool) -> None:
    """Mark ``latest`` as correct, or prune: keep correct copies and the newest
    :data:`KEEP_OTHER` others under ``root`` (the session's artifact folder)."""
    if correct and latest.is_dir():
        latest.rename(latest.with_name(latest.name + CORRECT_SUFFIX))
        return
    if not root.is_dir():
        return
    others = sorted((p for p in root.iterdir()
                     if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    for old in others[:-KEEP_OTHER] if KEEP_OTHER else others:
        shutil.rmtree(old, ignore_errors=True)
