"""The one SHA-256 of a file: evidence, captures and submitted files are hashed here."""

from __future__ import annotations

import hashlib
from pathlib import Path

from runner.errors import DflabError, InputError

_CHUNK = 1 << 20


def sha256_file(path: Path, *, what: str = "file",
                error: type[DflabError] = InputError) -> str:
    """Hex SHA-256 of a file, read in chunks (captures can be large).

    Raises:
        ``error`` (InputError by default) naming ``what`` and the path when the file
        cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        raise error(f"{what} not found", where=str(path),
                    fix="check the path (and the 'file' entry of the scenario)") from None
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror or exc}", where=str(path)) from None
    return digest.hexdigest()


__all__ = ["sha256_file"]
