"""Files a command writes: whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kk_core.errors import StorageError

__all__ = ["write_text"]


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder,
    renamed into place: a failure leaves no half-written file, and an existing file
    as it was."""
    folder = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as error:
        raise StorageError(f"cannot write {path}: {error.strerror}") from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # as open() would make it, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StorageError(f"cannot write {path}: {error.strerror}") from None
