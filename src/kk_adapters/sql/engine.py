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
wait for a lock, and for a free connection of the store's pool; 5 on SQLite, 30 on
PostgreSQL), ``retries`` (further attempts at SQLite's write lock; default 2),
``schema`` (PostgreSQL only), ``check`` (SQLite only: ``quick`` or ``full`` checks the
file's integrity on open; default ``none``).

A URL or option the store cannot use is a `ValidationError` whose problems name the
part (``url.query.timeout``, ``options.timeout``, ``url.host``, ``url.path``,
``url.password``); a store that cannot be reached or is damaged is a `StorageError`.
A URL whose user name, password or option values hold an unencoded ``#``, ``/``,
``?`` or ``@`` is refused: URL parsers read such a URL differently (SQLAlchemy would
take another password, host or option than the one meant), so it must be
percent-encoded (``urllib.parse.quote(password, safe="")``).
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs
import sqlalchemy as sa
from sqlalchemy import event

from kk_adapters.sql.errors import missing_driver
from kk_core.errors import Problem, ValidationError, quote_value
from kk_core.store import flag_option, redact_url, url_secrets

__all__ = ["StoreOptions", "Target", "make_engine", "parse_url"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_OPTION_NAMES = ("read_only", "migrate", "timeout", "retries", "schema", "check")
_CHECKS = ("none", "quick", "full")
# ``scheme://[user@]host[:digits]`` and then the path, query or the end
_PORT = re.compile(r"^[^:/]+://(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#\[\]]*)(?::[0-9]*)?(?:[/?]|$)")
#: Longest wait for a lock or a connection, in seconds (SQLite's busy timeout is 32-bit ms).
_MAX_TIMEOUT = 86400.0
_ENCODE_HINT = (
    "percent-encode it (# as %23, / as %2F, ? as %3F, @ as %40), for example with "
    "urllib.parse.quote(password, safe='')"
)
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
    check: str = "none"


@attrs.frozen
class Target:
    """Where a store lives: its backend, SQLAlchemy URL, options and the URL to show."""

    backend: str  # "sqlite" or "postgresql"
    sa_url: sa.URL
    options: StoreOptions
    display_url: str
    temporary: bool = False
    driver_args: Mapping[str, str] = attrs.field(factory=dict)


def _refuse(shown: str, *problems: Problem) -> NoReturn:
    raise ValidationError(problems, subject=f"store URL {quote_value(shown, limit=120)}")


def _options(
    backend: str, given: Mapping[str, Any], keywords: Mapping[str, Any], shown: str
) -> StoreOptions:
    """The store's own options; every bad one is a `Problem` at ``options.NAME`` (keyword
    argument) or ``url.query.NAME`` (URL query)."""

    def where(name: str) -> str:
        return f"options.{name}" if name in keywords else f"url.query.{name}"

    problems: list[Problem] = []
    known = ", ".join(_OPTION_NAMES)
    for name in sorted(set(keywords) - set(_OPTION_NAMES)):
        problems.append(Problem(f"options.{name}", f"unknown store option (known: {known})"))
    timeout = 5.0 if backend == "sqlite" else 30.0
    if "timeout" in given:
        try:
            timeout = float(given["timeout"])
        except (TypeError, ValueError):
            problems.append(Problem(where("timeout"), "timeout must be a number of seconds"))
        else:
            if not (math.isfinite(timeout) and 0 <= timeout <= _MAX_TIMEOUT):
                problems.append(
                    Problem(where("timeout"), f"timeout must be between 0 and {_MAX_TIMEOUT:g} s")
                )
                timeout = 5.0
    retries = 2
    if "retries" in given:
        value = given["retries"]
        try:
            retries = int(str(value).strip()) if not isinstance(value, bool) else -1
        except ValueError:
            retries = -1
        if not 0 <= retries <= 100:
            problems.append(Problem(where("retries"), "retries must be a whole number, 0 to 100"))
            retries = 2
    schema = given.get("schema")
    if schema is not None:
        if backend != "postgresql":
            problems.append(Problem(where("schema"), "the schema option is for PostgreSQL stores"))
        elif not _IDENTIFIER.match(str(schema)):
            problems.append(
                Problem(
                    where("schema"),
                    f"schema {quote_value(str(schema), limit=70)} is not a plain SQL identifier",
                )
            )
        schema = str(schema)
    check = str(given.get("check", "none")).strip().lower()
    if check not in _CHECKS:
        problems.append(Problem(where("check"), f"check must be one of {', '.join(_CHECKS)}"))
    elif check != "none" and backend != "sqlite":
        problems.append(
            Problem(
                where("check"), "the check option is for SQLite files; PostgreSQL checks itself"
            )
        )
    read_only = flag_option(
        "read_only", given.get("read_only", False), where("read_only"), problems
    )
    migrate = flag_option("migrate", given.get("migrate", True), where("migrate"), problems)
    if problems:
        _refuse(shown, *problems)
    return StoreOptions(
        read_only=read_only,
        migrate=migrate,
        timeout=timeout,
        retries=retries,
        schema=schema,
        check=check,
    )


def parse_url(url: str, options: Mapping[str, Any]) -> Target:
    """Check a store URL and split off the store's own options.

    `ValidationError` naming the part of the URL (or the keyword option) that is wrong.
    """
    if not isinstance(url, str):
        _refuse("?", Problem("url", f"a store URL is a string, not {type(url).__name__}"))
    shown = redact_url(url)
    if "#" in url:
        _refuse(
            shown,
            Problem(
                "url",
                "a store URL has no '#' part; if a password, user name or file name holds "
                f"'#', {_ENCODE_HINT}",
            ),
        )
    split_error = False
    try:
        parts = urlsplit(url)
    except ValueError:
        split_error = True
    if split_error:  # refused outside the handler: the parser's message may quote the URL
        _refuse(shown, Problem("url", f"not a valid URL (unbalanced '[' or ']'); {_ENCODE_HINT}"))
    scheme = parts.scheme.lower()
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    ours = {k: v for k, v in query.items() if k in _OPTION_NAMES}
    rest = {k: v for k, v in query.items() if k not in _OPTION_NAMES}
    merged: dict[str, Any] = {**ours, **options}
    if scheme == "sqlite":
        return _sqlite_target(url, parts.netloc, parts.path, rest, merged, options, shown)
    if scheme in ("postgresql", "postgresql+psycopg"):
        return _postgres_target(url, rest, merged, options, shown)
    if scheme.startswith("postgresql+"):
        _refuse(
            shown,
            Problem(
                "url.scheme", "only the psycopg (3) driver is supported; use postgresql+psycopg://"
            ),
        )
    _refuse(shown, Problem("url.scheme", "not a SQL store URL (sqlite:// or postgresql://)"))


def _sqlite_target(
    url: str,
    netloc: str,
    path: str,
    rest: Mapping[str, str],
    merged: Mapping[str, Any],
    keywords: Mapping[str, Any],
    shown: str,
) -> Target:
    if not url.lower().startswith("sqlite://"):
        _refuse(shown, Problem("url", f"not a SQLite URL; use {_SQLITE_FORMS}"))
    if netloc:
        _refuse(
            shown,
            Problem(
                "url.host",
                f"a SQLite database is a file, it has no host ({quote_value(netloc, limit=40)}); "
                f"use {_SQLITE_FORMS}",
            ),
        )
    if rest:
        known = ", ".join(n for n in _OPTION_NAMES if n != "schema")
        _refuse(
            shown,
            *(
                Problem(f"url.query.{name[:40]}", f"unknown SQLite store option (known: {known})")
                for name in sorted(rest)
            ),
        )
    database = unquote(path[1:]) if path.startswith("/") else unquote(path)
    options = _options("sqlite", merged, keywords, shown)
    if database in ("", ":memory:"):
        if path not in ("", "/:memory:"):
            _refuse(shown, Problem("url.path", f"no file name; use {_SQLITE_FORMS}"))
        return Target("sqlite", sa.URL.create("sqlite+pysqlite"), options, shown, temporary=True)
    return Target("sqlite", sa.URL.create("sqlite+pysqlite", database=database), options, shown)


def _libpq_parameters() -> frozenset[str] | None:
    try:
        from psycopg import pq
    except ImportError:  # the driver's absence is reported when the store connects
        return None
    return frozenset(o.keyword.decode() for o in pq.Conninfo.get_defaults())


def _check_readings_agree(url: str, shown: str) -> sa.URL:
    """SQLAlchemy's reading of the URL, refused unless it is also the standard one.

    SQLAlchemy ends a password at the first ``@``; ``urllib`` (and RFC 3986) end the
    host part at the first ``/``, ``?`` or ``#``. An unencoded one of those in a user
    name, password or option value makes the two disagree: the store would connect as
    one user and read its options (``read_only``!) from another reading.
    """
    problem = Problem(
        "url.password" if url_secrets(url) else "url",
        "the URL reads differently to different parsers: a user name, password or option "
        f"value holds an unencoded '#', '/', '?' or '@'; {_ENCODE_HINT}",
    )
    if url.count("@") > 1:
        _refuse(shown, problem)
    sa_url: sa.URL | None = None
    try:
        sa_url = sa.make_url(url)  # SQLAlchemy drops blank query values, and so does this
        parts = urlsplit(url)
        sa_reading = (
            sa_url.username,
            sa_url.password,
            (sa_url.host or "").lower(),
            sa_url.port,
            sa_url.database or None,
            dict(sa_url.query),
        )
        rfc_reading = (
            None if parts.username is None else unquote(parts.username),
            None if parts.password is None else unquote(parts.password),
            parts.hostname or "",
            parts.port,
            unquote(parts.path[1:]) or None,
            dict(parse_qsl(parts.query)),
        )
        agree = sa_reading == rfc_reading
    except (sa.exc.ArgumentError, ValueError):
        agree = False
    if not agree or sa_url is None:
        netloc = url.partition("://")[2]
        userinfo_intact = url.count("@") == 0 or "@" in re.split(r"[/?#]", netloc, maxsplit=1)[0]
        if userinfo_intact and not _PORT.match(url):
            problem = Problem("url.port", "the port must be a number")
        _refuse(shown, problem)
    return sa_url


def _postgres_target(
    url: str,
    rest: Mapping[str, str],
    merged: Mapping[str, Any],
    keywords: Mapping[str, Any],
    shown: str,
) -> Target:
    sa_url = _check_readings_agree(url, shown)
    known = _libpq_parameters()
    if known is not None:
        unknown = sorted(set(rest) - known)
        if unknown:
            ours = ", ".join(_OPTION_NAMES)
            _refuse(
                shown,
                *(
                    Problem(
                        f"url.query.{name[:40]}",
                        f"neither a store option ({ours}) nor a libpq connection parameter",
                    )
                    for name in unknown
                ),
            )
    options = _options("postgresql", merged, keywords, shown)
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
        pool_timeout=options.timeout,
        hide_parameters=True,  # SQLAlchemy's messages must not quote personal data
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
        return sa.create_engine(
            target.sa_url,
            connect_args=connect_args,
            pool_pre_ping=True,
            pool_timeout=options.timeout,
            hide_parameters=True,  # SQLAlchemy's messages must not quote personal data
        )
    except ImportError as exc:
        raise missing_driver("postgresql", exc) from None
