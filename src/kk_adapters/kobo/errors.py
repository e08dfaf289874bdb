"""The errors of the KoboToolbox adapter: `kk_core.errors` types, so callers handle one
family whatever the store.

A server's answer becomes a `KoboError` naming what went wrong in Kobo's terms (the
HTTP status, the asset uid, the server's own short explanation) and what to do about
it. No message, repr or exception chain holds the API token: errors are raised outside
the ``except`` block of the transport's exception, whose request carries the token in
its headers.
"""

from __future__ import annotations

from kk_core.errors import StorageError

__all__ = [
    "KoboAuthError",
    "KoboError",
    "KoboGoneError",
    "KoboNotDeployedError",
    "KoboNotFoundError",
    "KoboUnavailableError",
]


class KoboError(StorageError):
    """The KoboToolbox server could not give what was asked; ``status`` is the HTTP status
    of its last answer (``None`` when no answer came: a timeout, a refused connection)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class KoboAuthError(KoboError):
    """401 (the token is missing, wrong or revoked) or 403 (the token's user may not see
    this asset or its submissions)."""


class KoboNotFoundError(KoboError):
    """404: no asset (or submission, or attachment) of that uid on this server."""


class KoboGoneError(KoboError):
    """410: a URL of the removed API v1 (``/api/v1/…``, ``/assets/…``); use API v2."""


class KoboNotDeployedError(KoboError):
    """The asset is a draft that was never deployed: it has no submissions to read."""


class KoboUnavailableError(KoboError):
    """The server kept answering 429 or 5xx, or timing out, after every retry."""
