#!/usr/bin/env python3
"""lab: the trainee's command inside a dflab lab.

It only talks to the session service on the host through a Unix socket; it
never reads the scenario or any answer key (there are none in the lab). This
file must stay standard-library only: lab images copy it as /usr/local/bin/lab,
and its messages (``labtext.py``, the catalogue) as /opt/dflab/labtext.py.
The lab's language comes from DFLAB_LANG, set by dflab from ``--lang``.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

if __package__:
    from runner.session import labtext
else:  # run as a script: the catalogue sits beside it, or in the image's /opt/dflab
    sys.path[:0] = [os.path.dirname(os.path.realpath(__file__)), "/opt/dflab"]
    import labtext  # type: ignore[import-not-found,no-redef]

PROTOCOL_VERSION = 1
DEFAULT_SOCKET = "/run/dflab/lab.sock"
MAX_ANSWER_BYTES = 256 * 1024
# Mirrors runner.errors.ExitCode (this file cannot import dflab).
EXIT_OK, EXIT_WRONG, EXIT_USAGE, EXIT_INPUT, EXIT_NOT_FOUND = 0, 1, 2, 3, 4
EXIT_REFUSED, EXIT_BACKEND = 6, 7
MARKS = {"correct": "✔", "partial": "◐", "wrong": "✘", "locked": "⊘"}
# Checkers' stock feedback only repeats the verdict: the verdict line says it already.
STOCK_FEEDBACK = ("Correct.", "Not correct.", "Partly correct")


def lang() -> str:
    return str(os.environ.get("DFLAB_LANG") or labtext.DEFAULT_LANG)


def t(key: str, **values: Any) -> str:
    """The message ``key`` in the lab's language."""
    return str(labtext.tr(key, lang(), **values))


class LabError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def request(payload: dict[str, Any], sock_path: str) -> dict[str, Any]:
    payload = {"v": PROTOCOL_VERSION, **payload}
    data = (json.dumps(payload) + "\n").encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(120)
            sock.connect(sock_path)
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
    except (FileNotFoundError, ConnectionRefusedError):
        raise LabError(t("err.no_service", path=sock_path), EXIT_BACKEND) from None
    except OSError as exc:
        raise LabError(t("err.unreachable", error=exc), EXIT_BACKEND) from None
    try:
        reply = json.loads(b"".join(chunks).decode())
    except ValueError:
        raise LabError(t("err.unreadable_reply"), EXIT_BACKEND) from None
    if not reply.get("ok"):
        raise LabError(reply.get("error", "request refused"), int(reply.get("code", EXIT_INPUT)))
    result: dict[str, Any] = reply.get("data", {})
    return result


def read_answer(words: list[str]) -> str:
    if len(words) == 1 and words[0].startswith("@") and len(words[0]) > 1:
        return _read_answer_file(words[0][1:])
    text = " ".join(words)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise LabError(t("err.text_not_utf8"), EXIT_INPUT) from None
    if size > MAX_ANSWER_BYTES:
        raise LabError(t("err.too_long", size=f"{size:,}", limit=f"{MAX_ANSWER_BYTES:,}"),
                       EXIT_INPUT)
    return text


def _read_answer_file(path: str) -> str:
    try:
        size = os.path.getsize(path)
        if size > MAX_ANSWER_BYTES:
            raise LabError(t("err.file_too_big", path=path, size=f"{size:,}",
                             limit=f"{MAX_ANSWER_BYTES:,}"), EXIT_INPUT)
        with open(path, "rb") as fh:
            raw = fh.read(MAX_ANSWER_BYTES + 1)
    except OSError as exc:
        raise LabError(t("err.file_unreadable", path=path, error=exc.strerror),
                       EXIT_INPUT) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LabError(t("err.file_not_utf8", path=path, byte=exc.start), EXIT_INPUT) from None


def fmt_points(value: float) -> str:
    return f"{round(value, 2):g}"


def print_tasks(data: dict[str, Any]) -> None:
    score = f"{fmt_points(data['score'])}/{fmt_points(data['max_score'])}"
    print(t("tasks.head", title=data.get("title", ""), score=score))
    for task in data["tasks"]:
        mark = MARKS.get(task["state"], "·")
        tries = str(task["attempts"])
        if task["max_attempts"] is not None:
            tries += f"/{task['max_attempts']}"
        points = f"{fmt_points(task['earned']):>5}/{fmt_points(task['points']):<4}"
        print(f" {mark} {task['id']:<18} {points} {t('tasks.tries')} {tries:<5} "
              f"{task['summary']}")
    print(f"\n{t('tasks.legend')}")
    left = data.get("time_left")
    if left is not None:
        print(t("tasks.time_left", hours=left // 3600, minutes=f"{left % 3600 // 60:02d}"))
    print(f"\n{t('tasks.footer')}")


def print_show(data: dict[str, Any]) -> None:
    print(t("show.head", id=data["id"], points=fmt_points(data["points"]),
            type=data["answer_type"]))
    if data.get("locked"):
        print(t("show.locked", tasks=", ".join(data["requires"])))
    print()
    print(data["question"])
    for index, hint in enumerate(data.get("hints_taken", []), 1):
        print("\n" + t("show.hint", n=index, cost=fmt_points(hint["cost"]), text=hint["text"]))
    if data.get("hints_left") and data.get("next_hint_cost") is not None:
        print("\n" + t("show.hints_left", n=data["hints_left"],
                       cost=fmt_points(data["next_hint_cost"]), id=data["id"]))
    print()
    if data.get("state") == "correct":
        print(t("show.solved", earned=fmt_points(data["earned"]),
                points=fmt_points(data["points"])))
    used = len([a for a in data.get("attempts", []) if a.get("counted", True)])
    if data.get("max_attempts") is not None:
        print(t("show.attempts_limited", used=used, limit=data["max_attempts"],
                left=data.get("attempts_left", 0)))
    else:
        print(t("show.attempts_free", used=used))
    for attempt in data.get("attempts", []):
        status = t(f"status.{attempt['status']}")
        print(f"  {attempt['at']}  {status:<14} {attempt['value'][:60]}")
    if data.get("explanation"):
        print("\n" + t("explanation", text=data["explanation"]))


def print_verdict(data: dict[str, Any]) -> None:
    status = data["status"]
    parts = [t("verdict.points", task=data["task"], earned=fmt_points(data["earned"]),
               points=fmt_points(data["points"]))]
    if status == "invalid":
        parts.append(t("verdict.not_counted"))
    elif status != "correct" and data.get("attempts_left") is not None:
        left = data["attempts_left"]
        parts.append(t("verdict.left", n=left) if left else t("verdict.none_left"))
    line = f"{t('status.' + status)} — {'; '.join(parts)}"
    # The checker's own words; "feedback" also carries an English closing note for scripts.
    feedback = str(data.get("verdict_feedback", data.get("feedback")) or "")
    print(line if feedback.startswith(STOCK_FEEDBACK) else f"{line}\n  {feedback}")
    if data.get("explanation"):
        print(t("explanation", text=data["explanation"]))
    if data.get("unlocked"):
        print(t("verdict.unlocked", tasks=", ".join(data["unlocked"])))


def take_hint(task: str, yes: bool, sock_path: str) -> dict[str, Any] | None:
    """Show the next hint's cost and ask before taking it; ``--yes`` skips the question."""
    shown = request({"op": "show", "task": task}, sock_path)
    if shown.get("state") == "correct":
        raise LabError(t("err.solved", id=task) + f" ({t('err.fix')}: {t('err.solved.fix')})",
                       EXIT_REFUSED)
    cost = shown.get("next_hint_cost")
    if not shown.get("hints_left") or cost is None:
        raise LabError(t("hint.none", id=task), EXIT_REFUSED)
    if not yes:
        if not sys.stdin.isatty():
            raise LabError(t("hint.need_yes", cost=fmt_points(cost), id=task), EXIT_USAGE)
        taken = len(shown.get("hints_taken", []))
        spent = sum(h["cost"] for h in shown.get("hints_taken", [])) + cost
        sys.stderr.write(t("hint.confirm", n=taken + 1, total=taken + shown["hints_left"],
                           id=task, cost=fmt_points(cost),
                           after=fmt_points(max(0.0, shown["points"] - spent))))
        sys.stderr.flush()
        try:
            reply = sys.stdin.readline().strip().lower()
        except (EOFError, KeyboardInterrupt):
            reply = ""
        if reply not in labtext.YES:
            print(t("hint.declined"))
            return None
    return request({"op": "hint", "task": task}, sock_path)


def print_result(op: str, data: dict[str, Any]) -> None:
    if op == "tasks":
        print_tasks(data)
    elif op == "show":
        print_show(data)
    elif op in ("answer", "submit"):
        print_verdict(data)
    elif op == "hint":
        print(t("hint.text", cost=fmt_points(data["cost"]), text=data["text"]))
    elif op == "score":
        print(t("score.line", score=fmt_points(data["score"]), max=fmt_points(data["max_score"]),
                solved=data["solved"], total=data["total"], hints=data["hints"]))


def welcome(sock_path: str, local: bool) -> int:
    """The lab banner, in the lab's language (the shell prints it at login)."""
    try:
        title = request({"op": "hello"}, sock_path).get("title", "")
    except LabError:
        title = os.environ.get("DFLAB_TITLE", "dflab lab")
    evidence = os.environ.get("EVIDENCE", "/evidence")
    work = os.environ.get("WORK", "/work")
    lines = ["", f"  {title}"]
    if local:
        lines.append("  " + t("banner.local"))
    lines += ["  " + t("banner.evidence", path=evidence), "  " + t("banner.work", path=work),
              "  " + t("banner.begin"), ""]
    print("\n".join(lines))
    return EXIT_OK


def main(argv: list[str]) -> int:
    as_json, yes = "--json" in argv, "--yes" in argv or "-y" in argv
    args = [a for a in argv if a not in ("--json", "--yes", "-y")]
    if not args or args[0] in ("-h", "--help", "help"):
        print(t("usage"), end="")
        return EXIT_OK if args else EXIT_USAGE
    sock_path = os.environ.get("DFLAB_SOCKET", DEFAULT_SOCKET)
    op, rest = args[0], args[1:]
    if op == "welcome":
        return welcome(sock_path, local="--local" in rest)
    need = {"tasks": 0, "score": 0, "show": 1, "hint": 1, "answer": 2, "submit": 2}
    if op not in need:
        print(f"lab: {t('err.unknown_command', op=op)}", file=sys.stderr)
        return EXIT_USAGE
    if len(rest) < need[op] or (op in ("submit", "show", "hint") and len(rest) != need[op]):
        print(f"lab: {t('err.arguments', op=op)}", file=sys.stderr)
        return EXIT_USAGE
    payload: dict[str, Any] = {"op": op}
    if rest:
        payload["task"] = rest[0]
    try:
        if op == "answer":
            payload["value"] = read_answer(rest[1:])
        elif op == "submit":
            # The host copies the file out itself: send the path as the lab sees it.
            payload["path"] = os.path.abspath(rest[1])
        if op == "hint":
            result = take_hint(rest[0], yes, sock_path)
            if result is None:
                return EXIT_OK
            data = result
        else:
            data = request(payload, sock_path)
    except LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return exc.code
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        print_result(op, data)
    if op in ("answer", "submit") and data.get("status") != "correct":
        return EXIT_WRONG
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
