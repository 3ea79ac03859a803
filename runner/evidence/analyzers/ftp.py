"""``ftp``: the FTP control dialogue (commands with their replies) and the file transfers.

Each command is paired with the server's final reply to it (1xx preliminary replies
are skipped: they announce a transfer, the final 2xx/4xx/5xx reply tells how it
ended). A transfer is a RETR, STOR, STOU, APPE, LIST, NLST or MLSD command; its data
connection is the one the last PASV/EPSV reply or PORT/EPRT command announced.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Analyzer, Field, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.analyzers.util import ip_text, iso_time
from runner.evidence.proto.lines import replies, side_lines
from runner.evidence.streams import Stream

TRANSFERS = frozenset({"RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD"})
_PASV = re.compile(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)|(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)")
_EPSV = re.compile(r"\(\|\|\|(\d+)\|\)")
_SIZE = re.compile(r"\((\d+) bytes\)")
_COMMAND = re.compile(r"^([A-Za-z]{3,4})(?: (.*))?$")


@register
class Ftp(Analyzer):
    """FTP control connections on port 21 (or sniffed from a 220 greeting)."""

    name = "ftp"
    description = "FTP commands with the server's replies, and file transfers"
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "commands": (
            Field("frame", "int", "frame of the command"),
            Field("time", "str", "UTC time of the command"),
            Field("client", "str", "client address"),
            Field("server", "str", "server address"),
            Field("command", "str", "command, upper case (USER, PASS, STOR, ...)"),
            Field("argument", "str", "the rest of the line (ftp.request.arg)"),
            Field("reply_code", "int", "final reply code, -1 when none was seen"),
            Field("reply_text", "str", "final reply text (multi-line replies joined)"),
            Field("reply_frame", "int", "frame of the final reply, 0 when none"),
        ),
        "transfers": (
            Field("frame", "int", "frame of the transfer command"),
            Field("time", "str", "UTC time of the command"),
            Field("client", "str", "client address"),
            Field("server", "str", "server address"),
            Field("user", "str", "user name of the session (USER), '' before a login"),
            Field("command", "str", "RETR (download), STOR/STOU/APPE (upload), LIST, NLST, MLSD"),
            Field("direction", "str", "download, upload or listing"),
            Field("filename", "str", "the command's argument"),
            Field("directory", "str", "working directory the server last reported (257/250)"),
            Field("mode", "str", "passive or active, '' when not announced"),
            Field("data_host", "str", "address of the data connection's listening side"),
            Field("data_port", "int", "port of the data connection's listening side, -1"),
            Field("size", "int", "bytes announced in the 150 reply, -1 when not"),
            Field("status", "int", "final reply code (226 = transfer complete), -1"),
        ),
    }
    tcp_ports = frozenset({21})

    def setup(self) -> None:
        self.commands = self.new_table("commands")
        self.transfers = self.new_table("transfers")

    def on_stream(self, stream: Stream) -> None:
        flow = stream.flow
        client, server = ip_text(flow.src), ip_text(flow.dst)
        answers = replies(stream.server)
        finals = [r for r in answers if r[0] >= 200]
        if finals and (not stream.client.frames or finals[0][2].frame < stream.client.frames[0]):
            finals = finals[1:]  # the greeting answers no command
        state: dict[str, Any] = {"user": "", "cwd": "", "mode": "", "host": "", "port": -1}
        index = -1
        for line in side_lines(stream.client):
            match = _COMMAND.match(line.text.strip())
            if not match:
                continue
            index += 1
            command, argument = match.group(1).upper(), match.group(2) or ""
            code, text, reply = finals[index] if index < len(finals) else (-1, "", None)
            self.commands.append({
                "frame": line.frame, "time": iso_time(line.ts), "client": client,
                "server": server, "command": command, "argument": argument,
                "reply_code": code, "reply_text": text,
                "reply_frame": reply.frame if reply else 0,
            })
            _track(state, command, argument, code, text, server)
            if command in TRANSFERS:
                self.transfers.append(self._transfer(line, command, argument, code, state,
                                                     answers, client, server))

    def _transfer(self, line: Any, command: str, argument: str, code: int,
                  state: dict[str, Any], answers: list[Any], client: str, server: str
                  ) -> dict[str, Any]:
        size = -1
        for _code, text, reply in answers:  # the 150 reply between command and result
            if _code < 200 and reply.frame >= line.frame:
                found = _SIZE.search(text)
                size = int(found.group(1)) if found else -1
                break
        direction = ("download" if command == "RETR" else
                     "listing" if command in ("LIST", "NLST", "MLSD") else "upload")
        return {
            "frame": line.frame, "time": iso_time(line.ts), "client": client, "server": server,
            "user": state["user"], "command": command, "direction": direction,
            "filename": argument, "directory": state["cwd"], "mode": state["mode"],
            "data_host": state["host"], "data_port": state["port"], "size": size,
            "status": code,
        }

    def finish(self) -> Tables:
        return {"commands": self.commands.sort_by("frame"),
                "transfers": self.transfers.sort_by("frame")}


def _track(state: dict[str, Any], command: str, argument: str, code: int, text: str,
           server: str) -> None:
    """Follow the session: user, working directory, and the announced data connection."""
    if command == "USER":
        state["user"] = argument
    elif command == "PASV" and code == 227 and (m := _PASV.search(text)):
        nums = [int(n) for n in m.groups() if n is not None]
        state.update(mode="passive", host=".".join(map(str, nums[:4])),
                     port=nums[4] * 256 + nums[5])
    elif command == "EPSV" and code == 229 and (m := _EPSV.search(text)):
        state.update(mode="passive", host=server, port=int(m.group(1)))
    elif command == "PORT" and (m := _PASV.search(f"({argument.strip()})")):
        nums = [int(n) for n in m.groups() if n is not None]
        state.update(mode="active", host=".".join(map(str, nums[:4])),
                     port=nums[4] * 256 + nums[5])
    elif command == "EPRT" and len(parts := argument.split(argument[:1] or "|")) >= 4:
        state.update(mode="active", host=parts[2], port=int(parts[3] or -1)
                     if parts[3].isdigit() else -1)
    elif code == 257 and (m := re.search(r'"((?:[^"]|"")*)"', text)):
        state["cwd"] = m.group(1).replace('""', '"')
    elif command == "CWD" and code == 250:
        if (m := re.search(r'"((?:[^"]|"")*)"', text)):
            state["cwd"] = m.group(1)
        elif argument.startswith("/"):
            state["cwd"] = argument
        elif argument:
            state["cwd"] = state["cwd"].rstrip("/") + "/" + argument
