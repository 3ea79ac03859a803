"""Seat credentials: random passwords shown once, stored only as salted scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from runner.classroom.roster import Trainee

# scrypt cost: ~20 ms per check on a classroom laptop, 16 MiB of memory.
_N, _R, _P = 2**14, 8, 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud in a classroom


def new_password(length: int = 12) -> str:
    """A random password, easy to read from a slip of paper (about 59 bits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` with a fresh 16-byte salt."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a stored hash (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(_unb64(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def new_seed() -> int:
    """A seat's variant seed (31 bits, so every tool and language can hold it)."""
    return secrets.randbits(31)


def write_credentials(path: Path, rows: list[tuple[Trainee, str]], class_name: str) -> None:
    """Write ``seat,trainee id,name,password`` as CSV, readable by the owner only."""
    lines = ["class,seat,id,name,email,password"]
    for trainee, password in rows:
        cells = (class_name, trainee.seat, trainee.trainee_id, trainee.name, trainee.email,
                 password)
        lines.append(",".join(_csv_cell(c) for c in cells))
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
