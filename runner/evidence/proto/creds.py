"""Recognise cleartext logins in client streams (line protocols, Telnet, HTTP)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from runner.evidence.proto.httpwire import Message
from runner.evidence.streams import Side

# Field names that hold a password in login forms seen in the wild.
_PASSWORD_FIELD = re.compile(r"pass|pwd|passwd|secret|^pw$|^pin$", re.IGNORECASE)
_USER_FIELD = re.compile(
    r"user|login|e-?mail|^u?name$|^usr$|^u?id$|account|^log$|^un$|^u$|^nick|^handle$|^member",
    re.IGNORECASE,
)
# Form fields that are neither (anti-CSRF tokens, buttons) though their names match.
_NOT_USER = re.compile(r"token|csrf|submit|button|remember", re.IGNORECASE)
_IAC = 255


@dataclass
class Found:
    frame: int
    method: str
    username: str
    password: str
    url: str = ""


def lines(side: Side) -> list[tuple[str, int]]:
    """Client lines with the frame that completed each."""
    out = []
    data, pos = side.data, 0
    while True:
        eol = data.find(b"\n", pos)
        if eol < 0:
            break
        out.append((data[pos:eol].rstrip(b"\r").decode("latin-1"), side.frame_at(eol)))
        pos = eol + 1
    return out


def _b64(text: str) -> str:
    try:
        return base64.b64decode(text.strip(), validate=True).decode("utf-8", "backslashreplace")
    except (binascii.Error, ValueError):
        return text


def _plain(token: str, frame: int, method: str) -> Found:
    parts = _b64(token).split("\x00")  # authzid NUL authcid NUL password (RFC 4616)
    user = parts[1] if len(parts) >= 3 else parts[0]
    return Found(frame, method, user, parts[-1] if len(parts) >= 2 else "")


def mail_or_ftp(client: Side, protocol: str) -> list[Found]:
    """USER/PASS (FTP, POP3), IMAP LOGIN, and AUTH PLAIN / AUTH LOGIN (SMTP, POP3, IMAP)."""
    found: list[Found] = []
    user, pending, login_parts = "", "", []
    for text, frame in lines(client):
        words = text.split()
        verb = words[0].upper() if words else ""
        if protocol == "imap" and len(words) >= 2:
            words, verb = words[1:], words[1].upper()  # drop the IMAP command tag
        if pending == "PLAIN" and text:
            found.append(_plain(text, frame, "AUTH PLAIN"))
            pending = ""
        elif pending == "LOGIN" and text:
            login_parts.append(_b64(text))
            if len(login_parts) == 2:
                found.append(Found(frame, "AUTH LOGIN", login_parts[0], login_parts[1]))
                pending, login_parts = "", []
        elif verb == "USER" and len(words) >= 2:
            user = text.split(None, 1)[1]
        elif verb == "PASS" and user:
            found.append(
                Found(frame, "USER/PASS", user, text.split(None, 1)[1] if len(words) > 1 else "")
            )
        elif verb == "LOGIN" and len(words) >= 3:
            found.append(Found(frame, "LOGIN", words[1].strip('"'), " ".join(words[2:]).strip('"')))
        elif verb in ("AUTH", "AUTHENTICATE") and len(words) >= 2:
            mech = words[1].upper()
            if mech == "PLAIN" and len(words) >= 3:
                found.append(_plain(words[2], frame, "AUTH PLAIN"))
            elif mech == "LOGIN" and len(words) >= 3:
                pending, login_parts = "LOGIN", [_b64(words[2])]
            elif mech in ("PLAIN", "LOGIN"):
                pending, login_parts = mech, []
    return found


def http_credentials(req: Message, frame: int) -> list[Found]:
    """HTTP Basic and Bearer authorization, and form or JSON bodies with a password-like field."""
    found: list[Found] = []
    host = req.headers.get("host", "")
    url = f"http://{host}{req.first_line[1]}"
    auth = req.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "basic":
        user, _, password = _b64(token).partition(":")  # the password may contain ':'
        found.append(Found(frame, "Basic", user, password, url))
    elif scheme.lower() == "bearer" and token.strip():
        found.append(Found(frame, "Bearer", "", token.strip(), url))
    ctype = req.headers.get("content-type", "").lower()
    fields: list[tuple[str, str]] = []
    method = "form"
    if "x-www-form-urlencoded" in ctype:
        fields = parse_qsl(req.body.decode("latin-1"), keep_blank_values=True)
    elif "json" in ctype or req.body.lstrip()[:1] == b"{":
        fields, method = _json_fields(req.body), "json"
    passwords = [v for k, v in fields if _PASSWORD_FIELD.search(k)]
    users = [
        v
        for k, v in fields
        if _USER_FIELD.search(k) and not _PASSWORD_FIELD.search(k) and not _NOT_USER.search(k)
    ]
    if passwords:
        found.append(Found(frame, method, users[0] if users else "", passwords[0], url))
    return found


def _json_fields(body: bytes) -> list[tuple[str, str]]:
    """Scalar members of a JSON object body, nested objects flattened (``{"user": {"name":
    ...}}`` gives ``name``); not JSON, or not an object: none (not a login body)."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return []
    out: list[tuple[str, str]] = []
    todo = [doc] if isinstance(doc, dict) else []
    while todo and len(out) < 1000:
        for key, value in todo.pop(0).items():
            if isinstance(value, dict):
                todo.append(value)
            elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
                out.append((str(key), str(value)))
    return out


def telnet(client: Side, server: Side) -> list[Found]:
    """Replay a Telnet session in frame order: what was typed after a login/password prompt."""
    events = [(f, 0, c) for f, c in _chunks(server)] + [(f, 1, c) for f, c in _chunks(client)]
    events.sort(key=lambda e: (e[0], e[1]))
    found: list[Found] = []
    prompt, typed, user = "", bytearray(), ""
    for frame, who, chunk in events:
        text = _strip_iac(chunk)
        if who == 0:
            tail = text.decode("latin-1").rstrip().lower()
            if tail.endswith(("login:", "username:", "user name:", "user:")):
                prompt, typed = "user", bytearray()
            elif tail.endswith("password:"):
                prompt, typed = "password", bytearray()
            continue
        for byte in text:
            if byte in (8, 127):
                del typed[-1:]
            elif byte in (10, 13, 0):
                if prompt == "user" and typed:
                    user, prompt = typed.decode("latin-1"), ""
                elif prompt == "password":
                    found.append(Found(frame, "login", user, typed.decode("latin-1")))
                    prompt = ""
                typed = bytearray()
            else:
                typed.append(byte)
    return found


def _chunks(side: Side) -> list[tuple[int, bytes]]:
    bounds = [*side.starts, len(side.data)]
    return [(side.frames[i], side.data[bounds[i] : bounds[i + 1]]) for i in range(len(side.frames))]


def _strip_iac(data: bytes) -> bytes:
    """Drop Telnet option negotiation (IAC sequences) to keep only what was typed or shown."""
    out, i = bytearray(), 0
    while i < len(data):
        if data[i] != _IAC:
            out.append(data[i])
            i += 1
        elif i + 1 < len(data) and data[i + 1] == 250:  # subnegotiation up to IAC SE
            end = data.find(b"\xff\xf0", i + 2)
            i = end + 2 if end >= 0 else len(data)
        elif i + 1 < len(data) and data[i + 1] == _IAC:
            out.append(_IAC)
            i += 2
        else:
            i += 3 if i + 1 < len(data) and data[i + 1] in (251, 252, 253, 254) else 2
    return bytes(out)
