"""The pseudonymisation key from a file named in ``KK_PSEUDONYM_KEY_FILE``, for the
commands that import identity numbers (``kk import``, ``kk sync``).

A key is never typed on the command line (it would stay in the shell's history) nor
printed. A deployment that has a ``kk_pseudonym_key`` plugin needs none of this; a plugin
that gives a key wins over the file only if it was registered first, so the file is
the fallback of a shell user.
"""

from __future__ import annotations

import os
from pathlib import Path

from kk_core.errors import StorageError
from kk_core.hookspecs import hookimpl
from kk_core.plugins import Plugins

__all__ = ["KEY_FILE_ENV", "MIN_KEY_BYTES", "register_key_file"]

KEY_FILE_ENV = "KK_PSEUDONYM_KEY_FILE"
#: A shorter key is refused: pseudonyms of 16-digit numbers under a guessable key can be
#: reversed by trying every number.
MIN_KEY_BYTES = 16
_NAME = "kk-cli-key-file"


class _KeyFile:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "<pseudonymisation key from a file>"

    @hookimpl
    def kk_pseudonym_key(self) -> bytes:
        return self._key


def register_key_file(plugins: Plugins) -> None:
    """Give ``plugins`` the key in the file ``KK_PSEUDONYM_KEY_FILE`` names, if it is set."""
    name = os.environ.get(KEY_FILE_ENV)
    if not name:
        return
    path = Path(name)
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise StorageError(
            f"cannot read the pseudonymisation key file {path.name} ({KEY_FILE_ENV}): "
            f"{exc.strerror}"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise StorageError(
            f"the pseudonymisation key file {path.name} ({KEY_FILE_ENV}) holds "
            f"{len(key)} byte(s); a key needs at least {MIN_KEY_BYTES}"
        )
    if plugins.pm.has_plugin(_NAME):  # a command run again in one process
        plugins.unregister(_NAME)
    plugins.register(_KeyFile(key), name=_NAME)
