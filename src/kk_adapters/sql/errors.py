"""Driver errors → `kk_core.errors`: nothing from SQLAlchemy, sqlite3 or psycopg leaks out.

Messages carry the driver's own words (which name the constraint or the problem) but
never the SQL parameters, which may hold personal data, nor a password from the URL.
"""

from __future__ import annotations

import sqlalchemy.exc as sa_exc

from kk_core.errors import ConflictError, KKError, StorageError

__all__ = [
    "POSTGRES_EXTRA",
    "SQL_EXTRA",
    "LockedError",
    "SchemaVersionError",
    "is_locked",
    "is_unique_violation",
    "missing_driver",
    "translate",
]

SQL_EXTRA = "pip install 'kelompok-konstituen[sql]'"
POSTGRES_EXTRA = "pip install 'kelompok-konstituen[postgres]'"


class LockedError(StorageError):
    """SQLite's write lock stayed taken by another connection for longer than we waited."""


class SchemaVersionError(StorageError):
    """The database was made by a newer (or unknown) schema than this library knows."""


def _driver_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    source = orig if isinstance(orig, BaseException) else exc
    text = str(source).strip().splitlines()
    first = text[0] if text else type(source).__name__
    detail = [line for line in text[1:] if line.startswith(("DETAIL:", "HINT:"))]
    return " ".join([first, *detail])


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database is busy" (or PostgreSQL's lock timeout)."""
    if _sqlstate(exc) == "55P03":
        return True
    message = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in message or "database is busy" in message


def is_unique_violation(exc: BaseException) -> bool:
    if _sqlstate(exc) == "23505":
        return True
    return "UNIQUE constraint failed" in str(getattr(exc, "orig", exc))


def translate(exc: BaseException, *, url: str, doing: str) -> KKError:
    """The `kk_core.errors` type for a driver or SQLAlchemy exception.

    ``doing`` says what was being done ("put 12 case records"), ``url`` is the redacted
    store URL. Serialization failures and deadlocks (PostgreSQL) are conflicts: someone
    else changed the same records first; every other failure is a `StorageError`.
    """
    if isinstance(exc, KKError):
        return exc
    where = f"{doing} in {url}"
    state = _sqlstate(exc)
    if state in ("40001", "40P01"):
        return _Conflict(f"{where}: {_driver_message(exc)} (another writer got there first)")
    if is_locked(exc):
        return LockedError(f"{where}: {_driver_message(exc)}")
    kind = _pep249_kind(exc)
    if kind == "IntegrityError":
        return StorageError(f"{where}: violates a database constraint: {_driver_message(exc)}")
    if kind == "OperationalError":
        return StorageError(f"{where}: database unavailable or failing: {_driver_message(exc)}")
    if kind == "ProgrammingError":
        return StorageError(
            f"{where}: the database rejected the statement (is the schema intact?): "
            f"{_driver_message(exc)}"
        )
    if kind is not None:
        return StorageError(f"{where}: {kind}: {_driver_message(exc)}")
    return StorageError(f"{where}: {type(exc).__name__}: {_driver_message(exc)}")


_PEP249 = (
    "IntegrityError",
    "OperationalError",
    "ProgrammingError",
    "DataError",
    "NotSupportedError",
    "InternalError",
    "InterfaceError",
    "DatabaseError",
)


def _pep249_kind(exc: BaseException) -> str | None:
    """The PEP 249 class of a driver error, raw (sqlite3, psycopg) or wrapped by SQLAlchemy."""
    orig = getattr(exc, "orig", None)
    for candidate in (orig, exc):
        if isinstance(candidate, BaseException):
            names = {cls.__name__ for cls in type(candidate).__mro__}
            for name in _PEP249:
                if name in names:
                    return name
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return None
    return None


class _Conflict(ConflictError):
    """A conflict the database detected (serialization failure), not tied to one record."""

    def __init__(self, message: str) -> None:
        StorageError.__init__(self, message)
        self.kind = ""
        self.record_id = ""
        self.expected = 0
        self.actual = None


def missing_driver(scheme: str, exc: BaseException | None = None) -> StorageError:
    """The error for a missing optional dependency, naming the extra to install."""
    if scheme.startswith("postgres"):
        what, extra = "PostgreSQL stores need SQLAlchemy and the psycopg 3 driver", POSTGRES_EXTRA
    else:
        what, extra = "SQL stores need SQLAlchemy", SQL_EXTRA
    cause = f" ({exc})" if exc is not None else ""
    return StorageError(f"{what}{cause}: {extra}")
