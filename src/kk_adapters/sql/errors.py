"""Driver errors → `kk_core.errors`: nothing from SQLAlchemy, sqlite3 or psycopg leaks out.

Messages carry the driver's own words (which name the constraint or the problem) but
never the SQL parameters, which may hold personal data, nor a password from the URL.
"""

from __future__ import annotations

import re

import sqlalchemy.exc as sa_exc

from kk_core.errors import ConflictError, KKError, StorageError, mask_identity_numbers

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


#: Longest piece of a driver's message a `StorageError` quotes.
MESSAGE_LIMIT = 300
# DETAIL lines that quote the values of a row (PostgreSQL): personal data, never shown
_QUOTES_VALUES = re.compile(r"Key \(|Failing row contains|=\(", re.I)
_QUOTED = re.compile(r'"[^"]*"')


def _driver_message(exc: BaseException) -> str:
    """The driver's own words: its first line plus DETAIL/HINT lines that quote no
    values, bounded."""
    orig = getattr(exc, "orig", None)
    source = orig if isinstance(orig, BaseException) else exc
    text = str(source).strip().splitlines()
    first = text[0].strip() if text else type(source).__name__
    extra = [
        line.strip()
        for line in text[1:]
        if line.startswith(("DETAIL:", "HINT:")) and not _QUOTES_VALUES.search(line)
    ]
    state = _sqlstate(exc)
    if state is not None and state.startswith("22"):
        first = _QUOTED.sub('"…"', first)  # data errors quote the value they refused
    message = mask_identity_numbers(" ".join([first, *extra]))
    if len(message) > MESSAGE_LIMIT:
        message = f"{message[: MESSAGE_LIMIT - 1]}… ({len(message)} characters)"
    return message


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    for candidate in (orig, exc):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str):
            return state
    return None


def _sqlite_name(exc: BaseException) -> str | None:
    """SQLite's (extended) result code name, e.g. ``SQLITE_IOERR_WRITE``."""
    orig = getattr(exc, "orig", None)
    for candidate in (orig, exc):
        name = getattr(candidate, "sqlite_errorname", None)
        if isinstance(name, str):
            return name
    return None


_UNAVAILABLE = "database unavailable or failing"

# What a SQLite result code means for the user, by its primary code's name.
_SQLITE_CAUSES = {
    "SQLITE_FULL": "the disk is full, or the database reached its size limit; free some "
    "space and try again",
    "SQLITE_IOERR": f"{_UNAVAILABLE}: disk I/O error: the disk or file system holding the "
    "database is failing",
    "SQLITE_CORRUPT": "the database file is damaged; restore it from a backup",
    "SQLITE_NOTADB": "the file is not a SQLite database, or its header is damaged; restore it "
    "from a backup",
    "SQLITE_READONLY": "the database file cannot be written (a read-only file, directory or "
    "file system); fix its permissions or open the store with read_only=true",
    "SQLITE_CANTOPEN": "cannot open the database file (does its directory exist, and may "
    "this user write there?)",
    "SQLITE_NOMEM": "SQLite ran out of memory",
    "SQLITE_TOOBIG": "a value is too big for SQLite",
    "SQLITE_PERM": "access to the database file was denied",
    "SQLITE_AUTH": "access to the database was denied",
    "SQLITE_ERROR": "the database rejected the statement (is the schema intact?)",
}

# What a PostgreSQL SQLSTATE (exact, then by class) means for the user.
_PG_STATES = {
    "53100": "the database server's disk is full",
    "53200": "the database server ran out of memory",
    "53300": "the database server has no free connection slots (too many connections)",
    "57014": "the statement was cancelled (a statement timeout or a cancel request)",
    "25006": "the database refused a write: the session or server is read-only (a replica?)",
    "42501": "the database user lacks a privilege this store needs",
    "3D000": "the database does not exist",
    "XX001": "the database server reports damaged data; its administrator should check the "
    "server log and restore from a backup",
    "XX002": "the database server reports a damaged index; its administrator should REINDEX it",
}
_PG_CLASSES = {
    "08": f"{_UNAVAILABLE}: the connection to the server failed or was lost",
    "28": "the server refused the login (wrong user name or password?)",
    "53": "the database server ran out of resources",
    "54": "a value or statement exceeds a limit of the database (e.g. a value too large "
    "for an index)",
    "57": f"{_UNAVAILABLE}: the server is shutting down, restarting or not accepting connections",
    "58": f"{_UNAVAILABLE}: the server had a system error",
    "XX": "the database server had an internal error; its administrator should check the "
    "server log",
    "22": "the database refused a value",
    "42": "the database rejected the statement (is the schema intact?)",
}
# libpq reports a failure to connect without a SQLSTATE: read its words
_PG_CONNECT = (
    (re.compile(r"authentication failed|no password supplied", re.I),
     "the server refused the login (wrong user name or password?)"),
    (re.compile(r"database \S+ does not exist", re.I), "the database does not exist"),
    (re.compile(r"connection refused|could not connect|timeout expired|could not translate "
                r"host name|no route to host|server closed the connection|network is "
                r"unreachable|terminating connection|connection to server", re.I),
     f"{_UNAVAILABLE}: cannot reach the server, or the connection was lost"),
)  # fmt: skip


def _cause(exc: BaseException, state: str | None) -> str | None:
    """What went wrong, in words that say so, when the driver tells us."""
    name = _sqlite_name(exc)
    if name is not None:
        for primary, cause in _SQLITE_CAUSES.items():
            if name == primary or name.startswith(primary + "_"):
                return cause
        return None
    if state:
        return _PG_STATES.get(state) or _PG_CLASSES.get(state[:2])
    if _pep249_kind(exc) in ("OperationalError", "InterfaceError"):
        text = str(getattr(exc, "orig", None) or exc)
        for pattern, cause in _PG_CONNECT:
            if pattern.search(text):
                return cause
    return None


_POOL = re.compile(r"size (\d+) overflow (\d+).*timeout ([\d.]+)", re.S)


def _pool_exhausted(where: str, exc: BaseException) -> StorageError:
    found = _POOL.search(str(exc))
    if found:
        size, overflow, waited = int(found[1]), int(found[2]), float(found[3])
        what = f"all {size + overflow} connections of the store are in use (waited {waited:g} s)"
    else:
        what = "all connections of the store are in use"
    return StorageError(
        f"{where}: no free database connection: {what}; finish the transactions held "
        "open, or open the store with a longer ?timeout="
    )


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
    else changed the same records first; every other failure is a `StorageError` whose
    message says what happened when the driver tells (a full disk, an I/O error, a
    damaged file, a lost connection, a value beyond a limit …), then quotes the driver's
    words, bounded and without SQL parameters. "Database unavailable or failing" is said
    only when the server cannot be reached or the disk is failing.
    """
    if isinstance(exc, KKError):
        return exc
    where = f"{doing} in {url}"
    if isinstance(exc, sa_exc.TimeoutError):  # the connection pool, not the database
        return _pool_exhausted(where, exc)
    state = _sqlstate(exc)
    message = _driver_message(exc)
    if state in ("40001", "40P01"):
        return _Conflict(f"{where}: {message} (another writer got there first)")
    if is_locked(exc):
        return LockedError(f"{where}: {message}")
    kind = _pep249_kind(exc)
    if kind == "IntegrityError":
        return StorageError(f"{where}: violates a database constraint: {message}")
    cause = _cause(exc, state)
    if cause is not None:
        return StorageError(f"{where}: {cause} ({message})")
    if kind == "ProgrammingError":
        return StorageError(
            f"{where}: the database rejected the statement (is the schema intact?): {message}"
        )
    if kind == "OperationalError":
        return StorageError(f"{where}: the database failed: {message}")
    if kind is not None:
        return StorageError(f"{where}: {kind}: {message}")
    return StorageError(f"{where}: {type(exc).__name__}: {message}")


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
