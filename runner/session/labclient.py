#!/usr/bin/env python3
"""lab: the trainee's command inside a dflab lab.

It only talks to the session service on the host through a Unix socket; it
never reads the scenario or any answer key (there are none in the lab). This
file must stay standard-library only: lab images copy it as /usr/local/bin/lab.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

PROTOCOL_VERSION = 1
DEFAULT_SOCKET = "/run/dflab/lab.sock"
MAX_ANSWER_BYTES = 256 * 1024
# Mirrors runner.errors.ExitCode (this file cannot import dflab).
EXIT_OK, EXIT_WRONG, EXIT_USAGE, EXIT_INPUT, EXIT_NOT_FOUND = 0, 1, 2, 3, 4
EXIT_REFUSED, EXIT_BACKEND = 6, 7

USAGE = """usage: lab COMMAND [ARGS] [--json]

  lab tasks                 list the tasks, their points and your progress
  lab show ID               the full question, hints taken and your attempts
  lab answer ID VALUE...    answer a task (VALUE @file reads the answer from a file)
  lab submit ID PATH        submit a file you produced under /work
  lab hint ID               take the next hint (costs points)
  lab score                 your score so far
"""


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
        raise LabError(
            f"the lab service is not running ({sock_path}) "
            "(fix: on the host, run 'dflab resume' for this session)",
            EXIT_BACKEND,
        ) from None
    except OSError as exc:
        raise LabError(f"cannot reach the lab service: {exc}", EXIT_BACKEND) from None
    try:
        reply = json.loads(b"".join(chunks).decode())
    except ValueError:
        raise LabError("the lab service sent an unreadable reply", EXIT_BACKEND) from None
    if not reply.get("ok"):
        raise LabError(reply.get("error", "request refused"), int(reply.get("code", EXIT_INPUT)))
    result: dict[str, Any] = reply.get("data", {})
    return result


def read_answer(words: list[str]) -> str:
    if len(words) == 1 and words[0].startswith("@") and len(words[0]) > 1:
        path = words[0][1:]
        try:
            size = os.path.getsize(path)
            if size > MAX_ANSWER_BYTES:
                raise LabError(
                    f"{path}: the answer file is {size:,} bytes; the limit is "
                    f"{MAX_ANSWER_BYTES:,} (fix: shorten it, or use 'lab submit' for files)",
                    EXIT_INPUT,
                )
            with open(path, "rb") as fh:
                raw = fh.read(MAX_ANSWER_BYTES + 1)
        except OSError as exc:
            raise LabError(f"{path}: cannot read the answer file: {exc.strerror}",
                           EXIT_INPUT) from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LabError(
                f"{path}: byte {exc.start} is not UTF-8 text (fix: save the file as UTF-8)",
                EXIT_INPUT,
            ) from None
    text = " ".join(words)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LabError(
            "the answer holds bytes that are not UTF-8 text (fix: retype it, or use @file)",
            EXIT_INPUT,
        ) from None
    if len(text.encode()) > MAX_ANSWER_BYTES:
        raise LabError(
            f"the answer is {len(text.encode()):,} bytes; the limit is {MAX_ANSWER_BYTES:,} "
            "(fix: shorten it, or use 'lab submit' for files)",
            EXIT_INPUT,
        )
    return text


def fmt_points(value: float) -> str:
    return f"{round(value, 2):g}"


def print_tasks(data: dict[str, Any]) -> None:
    score = f"{fmt_points(data['score'])}/{fmt_points(data['max_score'])}"
    print(f"{data.get('title', '')}  —  score {score}")
    marks = {"correct": "✔", "partial": "◐", "wrong": "✘", "locked": "⊘"}
    for task in data["tasks"]:
        mark = marks.get(task["state"], "·")
        tries = str(task["attempts"])
        if task["max_attempts"] is not None:
            tries += f"/{task['max_attempts']}"
        points = f"{fmt_points(task['earned']):>5}/{fmt_points(task['points']):<4}"
        print(f" {mark} {task['id']:<18} {points} tries {tries:<5} {task['summary']}")
    left = data.get("time_left")
    if left is not None:
        print(f"\nTime left: {left // 3600}h {left % 3600 // 60:02d}m")
    print("\n'lab show ID' for a task's full text; 'lab answer ID VALUE' to answer.")


def print_show(data: dict[str, Any]) -> None:
    print(f"[{data['id']}] {data['points']:g} points, answer type: {data['answer_type']}")
    if data.get("locked"):
        print(f"Locked: solve {', '.join(data['requires'])} first.")
    print()
    print(data["question"])
    for index, hint in enumerate(data.get("hints_taken", []), 1):
        print(f"\nHint {index} (-{hint['cost']:g}): {hint['text']}")
    if data.get("hints_left"):
        print(f"\n{data['hints_left']} more hint(s) available: 'lab hint {data['id']}'.")
    for attempt in data.get("attempts", []):
        print(f"  {attempt['at']}  {attempt['status']:<8} {attempt['value'][:60]}")


def print_verdict(data: dict[str, Any]) -> None:
    print(f"{data['status'].upper()}: {data['feedback']}")
    line = f"task {data['task']}: {fmt_points(data['earned'])}/{fmt_points(data['points'])} points"
    if data.get("attempts_left") is not None:
        line += f", {data['attempts_left']} attempt(s) left"
    print(line)


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    args = [a for a in argv if a != "--json"]
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return EXIT_OK if args else EXIT_USAGE
    sock_path = os.environ.get("DFLAB_SOCKET", DEFAULT_SOCKET)
    op, rest = args[0], args[1:]
    need = {"tasks": 0, "score": 0, "show": 1, "hint": 1, "answer": 2, "submit": 2}
    if op not in need:
        print(f"lab: unknown command '{op}' (fix: run 'lab --help')", file=sys.stderr)
        return EXIT_USAGE
    if len(rest) < need[op] or (op in ("submit", "show", "hint") and len(rest) != need[op]):
        print(f"lab: wrong arguments for '{op}' (fix: run 'lab --help')", file=sys.stderr)
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
        data = request(payload, sock_path)
    except LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return exc.code
    if as_json:
        print(json.dumps(data, indent=2))
    elif op == "tasks":
        print_tasks(data)
    elif op == "show":
        print_show(data)
    elif op in ("answer", "submit"):
        print_verdict(data)
    elif op == "hint":
        print(f"Hint ({fmt_points(data['cost'])} point(s) off): {data['text']}")
    elif op == "score":
        print(f"Score: {fmt_points(data['score'])}/{fmt_points(data['max_score'])} "
              f"({data['solved']}/{data['total']} tasks solved, {data['hints']} hint(s) taken)")
    if op in ("answer", "submit") and data.get("status") != "correct":
        return EXIT_WRONG
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
