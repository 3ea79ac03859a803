"""HTTP/1.x message framing over a reassembled stream: headers, bodies, chunking, gzip.

Each direction is parsed as a sequence of messages (keep-alive and pipelining);
responses are paired with requests in order. Bodies are returned decoded (chunked
transfer undone, gzip/deflate content decoded) because that is the object an
examiner means by "the file that was downloaded", and the one Wireshark exports.
Decompression is capped so a compression bomb in the evidence cannot exhaust memory.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

METHODS = (
    b"GET",
    b"POST",
    b"HEAD",
    b"PUT",
    b"DELETE",
    b"OPTIONS",
    b"PATCH",
    b"CONNECT",
    b"TRACE",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"SEARCH",
)
_SNIFF = (*(m + b" " for m in METHODS), b"HTTP/1.")
# Any other method token (RFC 9110 5.6.2: a token; in practice upper case, digits, '_'
# and '-', e.g. CCM_POST, RPC_IN_DATA) counts when the request line ends in HTTP/1.x.
_OTHER_REQUEST = re.compile(rb"[A-Z][A-Z0-9_-]{0,31} [\x21-\x7e]+ HTTP/1\.[019]\r?\n")
_REQUEST_LINE = re.compile(rb"[A-Z][A-Z0-9_-]{0,31} [\x21-\x7e]+ HTTP/1\.[019]\r?\n")
_STATUS_LINE = re.compile(rb"HTTP/1\.[019] [1-5][0-9][0-9][ \r\n]")
MAX_DECODED = 256 * 1024 * 1024
_MAX_HEADER = 64 * 1024


@dataclass
class Message:
    """One request or response.

    Attributes:
        start: offset of the first byte in the direction's stream.
        end: offset just after the message (header and body).
        first_line: method/URI/version, or version/status/reason, split in three.
        headers: lower-case names to values (the first of repeated headers wins).
        body: the entity after undoing chunking and content encoding.
        body_start: offset of the first body byte (just after the header).
        wire_body_len: body bytes as sent on the wire.
        complete: False when the stream ended before the declared length.
    """

    start: int
    end: int
    first_line: tuple[str, str, str]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    wire_body_len: int = 0
    complete: bool = True
    problems: list[str] = field(default_factory=list)
    body_start: int = 0


def looks_like_http(payload: bytes) -> bool:
    """Whether the first payload of a stream starts like an HTTP/1.x request or response."""
    return payload.startswith(_SNIFF) or _OTHER_REQUEST.match(payload) is not None


def parse_requests(data: bytes, gaps: Sequence[tuple[int, int]] = ()) -> list[Message]:
    """Split a client stream into requests (bodies only with a length or chunking).

    ``gaps`` are (offset, bytes lost) where the capture lost bytes (``Side.gaps``): a
    message running into one is cut there (incomplete) and parsing resumes at the next
    message after it.
    """
    return _parse_all(data, request=True, head_methods=[], gaps=gaps)


def parse_responses(
    data: bytes, methods: list[str], gaps: Sequence[tuple[int, int]] = ()
) -> list[Message]:
    """Split a server stream into responses; ``methods`` of the requests decide HEAD bodies."""
    return _parse_all(data, request=False, head_methods=methods, gaps=gaps)


def _parse_all(
    data: bytes, *, request: bool, head_methods: list[str], gaps: Sequence[tuple[int, int]]
) -> list[Message]:
    out: list[Message] = []
    pos = 0
    while pos < len(data):
        if data.startswith((b"\r\n", b"\n"), pos):
            pos += 2 if data[pos] == 13 else 1  # stray CRLF between messages
            continue
        method = head_methods[len(out)] if len(out) < len(head_methods) else "GET"
        msg = _parse_one(data, pos, request=request, method=method)
        gap, lost = next(((g, n) for g, n in gaps if g > pos), (-1, 0))
        if msg is None and gap < 0:
            break
        if msg is None or 0 <= gap < msg.end:  # unreadable, or running into lost bytes
            resume = _resume(msg, data, gap, lost, request=request)
            if msg is not None:
                _cut(msg, data, gap, request=request, method=method)
                out.append(msg)
            if resume <= pos:
                break
            pos = resume
            continue
        if not request and msg.first_line[1].startswith("1") and msg.first_line[1] != "101":
            pos = msg.end  # 100 Continue: an interim response, not the answer
            continue
        out.append(msg)
        pos = msg.end
    return out


def _resume(msg: Message | None, data: bytes, gap: int, lost: int, *, request: bool) -> int:
    """Where the next message begins after ``lost`` bytes went missing at ``gap``.

    A message framed by Content-Length ends exactly ``lost`` bytes before where it
    seems to (as TCP sequence numbers would say); otherwise (chunked, unreadable) the
    first message start found after the gap. -1: none.
    """
    start = _REQUEST_LINE if request else _STATUS_LINE
    if msg is not None and msg.complete and "content-length" in msg.headers:
        chunked = "chunked" in msg.headers.get("transfer-encoding", "").lower()
        end = msg.end - lost
        if not chunked and end >= gap and (end == len(data) or start.match(data, end)):
            return end
    found = start.search(data, gap)
    return found.start() if found is not None else -1


def _cut(msg: Message, data: bytes, gap: int, *, request: bool, method: str) -> None:
    """A message whose bytes stop at a gap: keep what came before it, marked incomplete."""
    msg.problems.append("bytes missing from the capture inside this message; cut there")
    msg.complete = False
    if gap <= msg.body_start:  # the header itself is cut: no body to speak of
        msg.end, msg.body, msg.wire_body_len = gap, b"", 0
        return
    msg.end = msg.body_start
    _read_body(msg, data[:gap], request=request, method=method)
    msg.end, msg.complete = gap, False


def _parse_one(data: bytes, pos: int, *, request: bool, method: str) -> Message | None:
    head_end = data.find(b"\r\n\r\n", pos, pos + _MAX_HEADER)
    sep = 4
    if head_end < 0:
        head_end, sep = data.find(b"\n\n", pos, pos + _MAX_HEADER), 2
        if head_end < 0:
            return None
    lines = data[pos:head_end].decode("latin-1").splitlines()
    parts = lines[0].split(" ", 2) if lines else []
    if len(parts) < 2 or (request and not _is_method(parts)):
        return None
    if not request and not parts[0].startswith("HTTP/"):
        return None
    first = (parts[0], parts[1], parts[2] if len(parts) > 2 else "")
    msg = Message(pos, head_end + sep, first, body_start=head_end + sep)
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            msg.headers.setdefault(name.strip().lower(), value.strip())
    _read_body(msg, data, request=request, method=method)
    return msg


def _is_method(parts: list[str]) -> bool:
    """A known method, or any method token on a request line ending in HTTP/1.x."""
    if parts[0].encode() in METHODS:
        return True
    line = " ".join(parts).encode("latin-1") + b"\n"
    return len(parts) == 3 and _OTHER_REQUEST.fullmatch(line) is not None


def _read_body(msg: Message, data: bytes, *, request: bool, method: str) -> None:
    start = msg.end
    status = "" if request else msg.first_line[1]
    no_body = not request and (method == "HEAD" or status in ("204", "304") or status < "2")
    if no_body:
        return
    chunked = "chunked" in msg.headers.get("transfer-encoding", "").lower()
    if chunked:
        raw, msg.end, msg.complete = _dechunk(data, start)
    elif "content-length" in msg.headers:
        try:
            length = max(int(msg.headers["content-length"]), 0)
        except ValueError:
            msg.problems.append("Content-Length is not a number")
            length = 0
        raw = data[start : start + length]
        msg.complete = len(raw) == length
        msg.end = start + len(raw)
    elif request:
        return
    else:  # a response without length runs until the connection closes
        raw, msg.end = data[start:], len(data)
    msg.wire_body_len = msg.end - start
    msg.body = _decode(raw, msg.headers.get("content-encoding", "").lower(), msg.problems)


def _dechunk(data: bytes, pos: int) -> tuple[bytes, int, bool]:
    out: list[bytes] = []
    while True:
        eol = data.find(b"\r\n", pos, pos + 1024)
        if eol < 0:
            return b"".join(out), len(data), False
        try:
            size = int(data[pos:eol].split(b";")[0].strip() or b"x", 16)
        except ValueError:
            return b"".join(out), len(data), False
        pos = eol + 2
        if size == 0:
            trailer = data.find(b"\r\n\r\n", pos - 2)
            return b"".join(out), (trailer + 4 if trailer >= 0 else len(data)), True
        chunk = data[pos : pos + size]
        out.append(chunk)
        if len(chunk) < size:
            return b"".join(out), len(data), False
        pos += size + 2


def _decode(raw: bytes, encoding: str, problems: list[str]) -> bytes:
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        wbits = zlib.MAX_WBITS if raw[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        return raw
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(raw, MAX_DECODED)
    except zlib.error as exc:
        problems.append(f"{encoding} body could not be decoded ({exc}); kept as sent")
        return raw
    if inflater.unconsumed_tail:
        problems.append(f"decoded body over {MAX_DECODED} bytes; cut")
    return out
