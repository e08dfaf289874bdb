"""Store URLs → SQLAlchemy engines, set up the way the store needs them.

SQLite (``sqlite:///relative.db``, ``sqlite:////absolute.db``; ``sqlite://`` for a
private temporary database, removed on close): WAL journal, a busy timeout,
foreign keys on, ``synchronous=NORMAL``; the driver's implicit transactions are off so
the store says when a transaction begins (``BEGIN IMMEDIATE`` for writes).

PostgreSQL (``postgresql://…`` or ``postgresql+psycopg://…``, psycopg 3): a lock
timeout, an optional schema (``?schema=kk``) and read-only sessions for read-only
stores. Other query parameters (``sslmode``, ``connect_timeout`` …) go to libpq.

Store options (URL query or keyword arguments; keywords win): ``read_only``,
``migrate`` (upgrade an older schema on open; default true), ``timeout`` (seconds to
wait for a lock; 5 on SQLite, 30 on PostgreSQL), ``retries`` (further attempts at
SQLite's write lock; default 2), ``schema`` (PostgreSQL only).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs
import sqlalchemy as sa
from sqlalchemy import event

from kk_adapters.sql.errors import missing_driver
from kk_core.errors import StorageError
from kk_core.store import redact_url

__all__ = ["StoreOptions", "Target", "make_engine", "parse_url"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_OPTION_NAMES = ("read_only", "migrate", "timeout", "retries", "schema")
_SQLITE_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db, or sqlite:// for a temporary database"
)


@attrs.frozen
class StoreOptions:
    read_only: bool = False
    migrate: bool = True
    timeout: float = 5.0
    retries: int = 2
    schema: str | None = None


@attrs.frozen
class Target:
    """Where a store lives: its backend, SQLAlchemy URL, options and the URL to show."""

    backend: str  # "sqlite" or "postgresql"
    sa_url: sa.URL
    options: StoreOptions
    display_url: str
    temporary: bool = False
    driver_args: Mapping[str, str] = attrs.field(factory=dict)


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise StorageError(f"store option {name}={value!r} is not true or false")


def _options(backend: str, given: Mapping[str, Any]) -> StoreOptions:
    unknown = sorted(set(given) - set(_OPTION_NAMES))
    if unknown:
        raise StorageError(
            f"{backend} store: unknown option(s) {', '.join(unknown)} "
            f"(known: {', '.join(_OPTION_NAMES)})"
        )
    timeout_default = 5.0 if backend == "sqlite" else 30.0
    try:
        timeout = float(given.get("timeout", timeout_default))
        retries = int(given.get("retries", 2))
    except (TypeError, ValueError):
        raise StorageError("store options timeout and retries must be numbers") from None
    if timeout < 0 or retries < 0:
        raise StorageError("store options timeout and retries cannot be negative")
    schema = given.get("schema")
    if schema is not None:
        if backend != "postgresql":
            raise StorageError("the schema option is for PostgreSQL stores")
        if not _IDENTIFIER.match(str(schema)):
            raise StorageError(f"schema {schema!r} is not a plain SQL identifier")
        schema = str(schema)
    return StoreOptions(
        read_only=_bool("read_only", given.get("read_only", False)),
        migrate=_bool("migrate", given.get("migrate", True)),
        timeout=timeout,
        retries=retries,
        schema=schema,
    )


def parse_url(url: str, options: Mapping[str, Any]) -> Target:
    """Check a store URL and split off the store's own options; `StorageError` when bad."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise StorageError(f"invalid store URL {shown!r}: {exc}") from None
    scheme = parts.scheme.lower()
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    ours = {k: v for k, v in query.items() if k in _OPTION_NAMES}
    rest = {k: v for k, v in query.items() if k not in _OPTION_NAMES}
    merged: dict[str, Any] = {**ours, **options}
    if scheme == "sqlite":
        return _sqlite_target(url, parts.netloc, parts.path, rest, merged, shown)
    if scheme in ("postgresql", "postgresql+psycopg"):
        return _postgres_target(url, rest, merged, shown)
    if scheme.startswith("postgresql+"):
        raise StorageError(
            f"{shown!r}: only the psycopg (3) driver is supported; use postgresql+psycopg://"
        )
    raise StorageError(f"{shown!r} is not a SQL store URL (sqlite:// or postgresql://)")


def _sqlite_target(
    url: str,
    netloc: str,
    path: str,
    rest: Mapping[str, str],
    merged: Mapping[str, Any],
    shown: str,
) -> Target:
    if not url.lower().startswith("sqlite://"):
        raise StorageError(f"invalid SQLite URL {shown!r}; use {_SQLITE_FORMS}")
    if netloc:
        raise StorageError(
            f"invalid SQLite URL {shown!r}: a SQLite database is a file, it has no host "
            f"({netloc!r}); use {_SQLITE_FORMS}"
        )
    if rest:
        raise StorageError(
            f"SQLite store: unknown URL option(s) {', '.join(sorted(rest))} "
            f"(known: {', '.join(_OPTION_NAMES[:4])})"
        )
    database = unquote(path[1:]) if path.startswith("/") else unquote(path)
    options = _options("sqlite", merged)
    if database in ("", ":memory:"):
        if path not in ("", "/:memory:"):
            raise StorageError(f"invalid SQLite URL {shown!r}: no file name; use {_SQLITE_FORMS}")
        return Target("sqlite", sa.URL.create("sqlite+pysqlite"), options, shown, temporary=True)
    return Target("sqlite", sa.URL.create("sqlite+pysqlite", database=database), options, shown)


def _postgres_target(
    url: str, rest: Mapping[str, str], merged: Mapping[str, Any], shown: str
) -> Target:
    try:
        sa_url = sa.make_url(url)
        port = sa_url.port  # a non-numeric port fails here
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise StorageError(f"invalid PostgreSQL URL {shown!r}: {exc}") from None
    del port
    options = _options("postgresql", merged)
    sa_url = sa_url.set(drivername="postgresql+psycopg", query={})
    return Target("postgresql", sa_url, options, shown, driver_args=dict(rest))


def make_engine(target: Target) -> tuple[sa.Engine, Callable[[], None]]:
    """The engine for a target, and what to call once it is disposed (temp cleanup)."""
    if target.backend == "sqlite":
        return _sqlite_engine(target)
    return _postgres_engine(target), lambda: None


def _sqlite_engine(target: Target) -> tuple[sa.Engine, Callable[[], None]]:
    options = target.options
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    sa_url = target.sa_url
    if target.temporary:
        directory = tempfile.mkdtemp(prefix="kk-sqlite-")
        sa_url = sa.URL.create("sqlite+pysqlite", database=str(Path(directory) / "kk.db"))

        def cleanup() -> None:
            shutil.rmtree(directory, ignore_errors=True)

    engine = sa.create_engine(
        sa_url,
        connect_args={"timeout": options.timeout, "check_same_thread": False},
        poolclass=sa.pool.QueuePool,
    )
    busy_ms = int(options.timeout * 1000)

    @event.listens_for(engine, "connect")
    def _setup(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the store issues BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # NORMAL is durable in WAL mode except for the last commits before a power cut;
        # a temporary database needs no durability at all
        cursor.execute(f"PRAGMA synchronous = {'OFF' if target.temporary else 'NORMAL'}")
        if options.read_only:
            cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    return engine, cleanup


def _postgres_engine(target: Target) -> sa.Engine:
    options = target.options
    settings = [f"-c lock_timeout={int(options.timeout * 1000)}"]
    if options.schema:
        settings.append(f"-c search_path={options.schema}")
    if options.read_only:
        settings.append("-c default_transaction_read_only=on")
    connect_args: dict[str, Any] = dict(target.driver_args)
    connect_args["options"] = " ".join(
        [*settings, *([connect_args["options"]] if "options" in connect_args else [])]
    )
    connect_args.setdefault("application_name", "kelompok-konstituen")
    try:
        return sa.create_engine(target.sa_url, connect_args=connect_args, pool_pre_ping=True)
    except ImportError as exc:
        raise missing_driver("postgresql", exc) from None
