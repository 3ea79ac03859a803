"""Lines of a text protocol's stream side, each with the frame and time that completed it."""

from __future__ import annotations

from typing import NamedTuple

from runner.evidence.streams import Side

MAX_LINES = 100_000  # a control channel with more lines is not a dialogue worth a table


class Line(NamedTuple):
    text: str
    frame: int
    ts: int
    offset: int  # of the line's first byte in the side's data


def side_lines(side: Side) -> list[Line]:
    """Every complete line (LF or CR LF), decoded as Latin-1 so no byte is lost."""
    out: list[Line] = []
    data, pos = side.data, 0
    while len(out) < MAX_LINES:
        eol = data.find(b"\n", pos)
        if eol < 0:
            break
        text = data[pos:eol].rstrip(b"\r").decode("latin-1")
        out.append(Line(text, side.frame_at(eol), side.time_at(eol), pos))
        pos = eol + 1
    return out


def replies(side: Side) -> list[tuple[int, str, Line]]:
    """Final replies of an FTP/SMTP-style server: ``(code, text, last line)``; multi-line
    replies (``250-...`` up to ``250 ...``) are joined, 1xx preliminaries kept apart."""
    out: list[tuple[int, str, Line]] = []
    pending: list[str] = []
    for line in side_lines(side):
        head = line.text[:4]
        # isdigit() alone accepts Latin-1's superscript digits, which int() refuses.
        if not head[:3].isascii():
            head = ""
        if len(head) >= 3 and head[:3].isdigit() and (len(head) == 3 or head[3] == " "):
            pending.append(line.text[4:])
            out.append((int(head[:3]), " ".join(pending).strip(), line))
            pending = []
        elif len(head) == 4 and head[:3].isdigit() and head[3] == "-":
            pending.append(line.text[4:])
        elif pending:
            pending.append(line.text.strip())
    return out
