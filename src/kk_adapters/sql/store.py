"""`SqlStore`: the Store port on SQLite (the embedded default) and PostgreSQL.

Open one by URL through `kk_core.open_store` (``sqlite:///kk.db``,
``postgresql+psycopg://user@host/db``) or with `open_sql_store`. Opening creates the
tables in an empty database and upgrades an older one (`kk_adapters.sql.migrations`).

Every write outside a transaction is its own transaction. ``transaction()`` yields a
`SqlTransaction` on one connection: reads see its own writes, nothing is kept unless
``commit()`` is called. On SQLite a transaction takes the database's write lock at its
first write (``BEGIN IMMEDIATE``) and holds it until it ends, so writers queue rather
than fail; "database is locked" after the busy timeout is retried, then reported as a
`LockedError` (a `StorageError`). On PostgreSQL the rows a write touches are locked
(``SELECT … FOR UPDATE``) until the transaction ends.

``find`` reads a page of records at a time, each page a short statement of its own
(keyset pagination on the id): outside a transaction each page borrows a pooled
connection only while it is read, so an iterator left unfinished holds nothing; inside
one, pages are read on the transaction's connection. Every matching id comes at most
once and in id order, but there is no snapshot across pages: a record written while a
stream is read is seen if its id is beyond the pages already read. A stored row that no
longer reads as a record raises a `StorageError` naming its kind and id; calling
``next()`` again goes on with the rows after it.

When every connection of the pool is busy, a call waits up to ``timeout`` seconds for
one, then raises a `StorageError` saying so. With ``?check=quick`` (or ``full``) a
SQLite file is checked on open and a damaged one refused.
"""

from __future__ import annotations

import functools
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar, cast

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from kk_adapters.sql.engine import Target, make_engine, parse_url
from kk_adapters.sql.errors import LockedError, is_locked, translate
from kk_adapters.sql.migrations import (
    check_columns,
    create_schema,
    pending,
    schema_version,
    upgrade,
)
from kk_adapters.sql.schema import LATEST_VERSION, build_schema
from kk_adapters.sql.session import PAGE, Finder, Session, SessionFactory
from kk_core.errors import KKError, ReadOnlyError, StorageError, quote_value
from kk_core.kinds import Record, record_type
from kk_core.store import Capabilities, Counts

__all__ = ["AGGREGATES", "SqlStore", "SqlTransaction", "open_sql_store"]

#: The measures of `kk_core.analysis.measures` the SQL stores compute in the database.
AGGREGATES = frozenset({"count", "distinct", "sum", "days"})

R = TypeVar("R", bound=Record)


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sa_exc.SQLAlchemyError, sqlite3.Error]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the postgres extra is optional
        pass
    else:
        errors.append(psycopg.Error)
    return tuple(errors)


_DRIVER_ERRORS = _driver_errors()


_C = TypeVar("_C", bound=type)


def _unchained(*names: str) -> Callable[[_C], _C]:
    """Class decorator: the named methods raise the library's errors with nothing
    chained to them.

    `_translated` raises inside the driver's exception handling, so Python chains the
    driver's exception (``__context__``) to ours; that exception may hold a row's values
    (a PostgreSQL DETAIL line, the text a driver could not encode). These methods
    re-raise the error outside any handler with the chain cut, so no traceback,
    logger or debugger reaches it; the message already says what the driver said.
    """

    def decorate(cls: _C) -> _C:
        for name in names:
            setattr(cls, name, _without_chain(getattr(cls, name)))
        return cls

    return decorate


def _without_chain(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except KKError as exc:
            error = exc
        error.__cause__ = error.__context__ = None
        error.__suppress_context__ = False
        raise error

    return wrapper


class _Base:
    """The translation of driver errors shared by the store and its transactions."""

    _url: str

    @contextmanager
    def _translated(self, doing: str) -> Iterator[None]:
        try:
            yield
        except KKError:
            raise
        except _DRIVER_ERRORS as exc:
            raise translate(exc, url=self._url, doing=doing) from None
        except (UnicodeError, OverflowError) as exc:
            # a value the driver could not send: `kk_core.values` refuses such values
            # before any write, so this is a last line, never the driver's own error
            raise StorageError(
                f"{doing} in {self._url}: the database driver could not send a value "
                f"({type(exc).__name__}); check the records with kk_core.values.check_record"
            ) from None


def _quoted(value: str, limit: int = 40) -> str:
    """An id for a message: masked and cut to ``limit`` characters (`quote_value`)."""
    return quote_value(value, limit=limit)


@_unchained("__next__")
class _RecordStream(Iterator[Record]):
    """Records of a find, a page at a time (`kk_adapters.sql.session.Finder`).

    Holds no connection: ``fetch(after)`` reads one page (outside a transaction, on a
    connection borrowed for that page only). A row that does not read back is raised as
    the `StorageError` naming it, in its place; the stream goes on after it.
    """

    def __init__(self, fetch: Callable[[str | None], list[Any]], decode_page: Any) -> None:
        self._fetch = fetch
        self._decode_page = decode_page
        self._page: Iterator[Record] = iter(())
        self._after: str | None = None
        self._done = False
        self._error: StorageError | None = None  # raised once the records before it are out
        self._rest: list[Any] = []  # rows after the damaged one

    def __iter__(self) -> _RecordStream:
        return self

    def __next__(self) -> Record:
        for record in self._page:
            return record
        while True:
            if self._error is not None:
                error, self._error = self._error, None
                rest, self._rest = self._rest, []
                self._load(rest)
                raise error
            if self._done:
                raise StopIteration
            try:
                rows = self._fetch(self._after)
            except BaseException:
                self.close()
                raise
            if len(rows) < PAGE:
                self._done = True
            if rows:
                self._after = rows[-1][0]
            self._load(rows)
            for record in self._page:
                return record

    def _load(self, rows: list[Any]) -> None:
        records, error = self._decode_page(rows)
        self._page = iter(records)
        if error is not None:
            self._error = error
            self._rest = rows[len(records) + 1 :]

    def close(self) -> None:
        """Stop reading; nothing is held, so this only ends the stream."""
        self._done = True
        self._page = iter(())
        self._error = None
        self._rest = []


@_unchained("get", "find", "count", "aggregate", "put", "put_many", "delete", "commit", "rollback")
class SqlTransaction(_Base):
    """A unit of work on one connection; see the module docstring."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._url = store.url
        self._done = False
        self._writing = False
        self._failed: str | None = None  # why the database ended this transaction
        with self._translated("begin a transaction"):
            self._conn = store._connect()
            try:
                self._trans = self._conn.begin()
            except BaseException:
                self._conn.close()
                raise
        self._session = Session(store._factory, self._conn)

    def _check_open(self) -> None:
        if self._failed is not None:
            raise StorageError(
                f"{self._url}: this transaction was rolled back after an error, nothing of it "
                f"was kept; start a new one ({self._failed})"
            )
        if self._done:
            raise StorageError("this transaction has already been committed or rolled back")

    @contextmanager
    def _write(self, doing: str) -> Iterator[None]:
        """A write inside a savepoint; when the database could not undo it on its own
        (the transaction is gone), end the transaction: later calls say so."""
        try:
            with self._translated(doing), self._session.savepoint():
                yield
        except KKError as exc:
            if self._session.broken:
                self._failed = str(exc)[:200]
                self._finish()
            raise

    def _check_writable(self) -> None:
        self._check_open()
        if self._store.capabilities.read_only:
            raise ReadOnlyError(f"{self._url} is read-only")
        if not self._writing:
            self._store._begin_write(self._conn)
            self._writing = True

    def get(self, kind: type[R], record_id: str) -> R:
        self._check_open()
        cls = record_type(kind)
        with self._translated(f"get {cls.kind} {_quoted(record_id)}"):
            return cast(R, self._session.get(cls, record_id))

    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        self._check_open()
        finder = Finder(self._store._factory, record_type(kind), criteria)
        doing = f"find {finder.kind} records"

        def fetch(after: str | None) -> list[Any]:
            self._check_open()
            with self._translated(doing):
                return self._session.find_page(finder, after)

        return cast(Iterator[R], _RecordStream(fetch, finder.ops.codec.decode_page))

    def count(self, kind: type[Record], /, by: Sequence[str] = (), **criteria: Any) -> Counts:
        self._check_open()
        cls = record_type(kind)
        with self._translated(f"count {cls.kind} records"):
            return self._session.count(cls, by, criteria)

    def aggregate(
        self, kind: type[Record], by: Sequence[str], measures: Sequence[Any], /, **criteria: Any
    ) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        self._check_open()
        cls = record_type(kind)
        with self._translated(f"aggregate {cls.kind} records"):
            return self._session.aggregate(cls, by, measures, criteria)

    def put(self, record: R) -> R:
        return cast(R, self.put_many([record])[0])

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        batch = list(records)
        self._check_writable()
        if not batch:
            return []
        with self._write(f"put {len(batch)} record(s)"):
            return self._session.put_many(batch)

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        cls = record_type(kind)
        self._check_writable()
        with self._write(f"delete {cls.kind} {_quoted(record_id)}"):
            self._session.delete(cls, record_id, version)

    def commit(self) -> None:
        self._check_open()
        if self._store.capabilities.read_only:
            self.rollback()  # every write was refused: there is nothing to commit
            return
        try:
            with self._translated("commit"):
                self._trans.commit()
        finally:
            self._finish()

    def rollback(self) -> None:
        if self._done or self._failed is not None:
            return
        try:
            with self._translated("roll back"):
                self._trans.rollback()
        finally:
            self._finish()

    def _finish(self) -> None:
        self._done = True
        with suppress(*_DRIVER_ERRORS):
            self._conn.close()


@_unchained("get", "find", "count", "aggregate", "put", "put_many", "delete")
class SqlStore(_Base):
    """Records in a SQL database; see the module docstring. Use as a context manager to close."""

    def __init__(self, url: str, /, **options: Any) -> None:
        target = parse_url(url, options)
        self._target = target
        self._url = target.display_url
        self._read_only = target.options.read_only
        self._retries = target.options.retries
        self._timeout = target.options.timeout
        self._closed = False
        with self._translated("open the store"):
            engine, cleanup = make_engine(target)
        self._engine = engine
        self._finalizer = weakref.finalize(self, _dispose, engine, cleanup)
        try:
            with self._translated("open the store"):
                self._sqlite = engine.dialect.name == "sqlite"
                self._schema_version = self._prepare(target)
                self._factory = SessionFactory(build_schema(LATEST_VERSION), engine.dialect)
        except BaseException:
            self.close()
            raise
        self._capabilities = Capabilities(
            read_only=self._read_only,
            transactions=True,
            aggregate_pushdown=True,
            aggregates=AGGREGATES,
        )

    def _prepare(self, target: Target) -> int:
        """Check the file (``check=``) and the schema version; create or upgrade the
        tables when allowed."""
        engine = self._engine
        if self._sqlite and target.options.check != "none":
            self._check_integrity(target.options.check)
        if self._sqlite and not self._read_only:
            with engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode = WAL").scalar()
                if str(mode).lower() != "wal":
                    raise StorageError(f"{self._url}: cannot switch SQLite to WAL mode ({mode})")
                conn.commit()
        with engine.connect() as conn:
            if target.options.schema and not self._read_only:
                create_schema(conn, target.options.schema)
            current = schema_version(conn)
            steps = pending(current)  # refuses a newer schema
            conn.rollback()
        if steps:
            if self._read_only or not target.options.migrate:
                why = "the store is read-only" if self._read_only else "migrate=false"
                what = "is empty" if current == 0 else f"is at schema version {current}"
                raise StorageError(
                    f"{self._url} {what}; this library needs version {LATEST_VERSION} and "
                    f"will not change it because {why}. Open it writable (migrate=true) or "
                    "run kk_adapters.sql.upgrade(url) first"
                )
            upgrade(engine)
        with engine.connect() as conn:
            check_columns(conn, build_schema(LATEST_VERSION))
            conn.rollback()
        return LATEST_VERSION

    def _check_integrity(self, check: str) -> None:
        """``PRAGMA quick_check`` (or ``integrity_check``): refuse a damaged SQLite file."""
        pragma = "quick_check" if check == "quick" else "integrity_check"
        with self._engine.connect() as conn:
            found = [str(row[0]) for row in conn.exec_driver_sql(f"PRAGMA {pragma}(5)")]
            conn.rollback()
        if found == ["ok"]:
            return
        listed = "; ".join(found)
        if len(listed) > 200:
            listed = listed[:199] + "…"
        raise StorageError(
            f"{self._url}: the database file is damaged (SQLite's {pragma} found: {listed}). "
            "Stop writing to it and restore it from a backup; failing that, copy out what "
            "still reads with the sqlite3 shell's .recover command"
        )

    def __repr__(self) -> str:
        return f"SqlStore({self._url!r})"

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self._url

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine, for reporting queries of your own (write through the store)."""
        return self._engine

    @property
    def schema_version(self) -> int:
        return self._schema_version

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> sa.Connection:
        if self._closed:
            raise StorageError(f"{self._url} is closed")
        return self._engine.connect()

    def _begin_write(self, conn: sa.Connection) -> None:
        """Take SQLite's write lock now (waiting up to the busy timeout, then retrying)."""
        if not self._sqlite:
            return
        for attempt in range(self._retries + 1):
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except sa_exc.OperationalError as exc:
                if not is_locked(exc):
                    raise
                if attempt == self._retries:
                    attempts = self._retries + 1
                    raise LockedError(
                        f"{self._url}: database is locked: another connection kept the write "
                        f"lock for more than {self._timeout:g} s, {attempts} time(s) in a row; "
                        "try again later or open the store with a longer ?timeout="
                    ) from None
                time.sleep(min(0.05 * 2**attempt, 1.0))

    @contextmanager
    def _writing(self, doing: str) -> Iterator[Session]:
        if self._read_only:
            raise ReadOnlyError(f"{self._url} is read-only")
        with self._translated(doing):
            conn = self._connect()
            try:
                trans = conn.begin()
                self._begin_write(conn)
                yield Session(self._factory, conn)
                trans.commit()
            finally:
                conn.close()  # rolls back whatever was not committed

    @contextmanager
    def _reading(self, doing: str) -> Iterator[Session]:
        with self._translated(doing):
            conn = self._connect()
            try:
                yield Session(self._factory, conn)
            finally:
                conn.close()

    # -- the Store protocol ------------------------------------------------------------

    def get(self, kind: type[R], record_id: str) -> R:
        cls = record_type(kind)
        with self._reading(f"get {cls.kind} {_quoted(record_id)}") as session:
            return cast(R, session.get(cls, record_id))

    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        if self._closed:
            raise StorageError(f"{self._url} is closed")
        finder = Finder(self._factory, record_type(kind), criteria)
        doing = f"find {finder.kind} records"

        def fetch(after: str | None) -> list[Any]:
            with self._reading(doing) as session:  # a connection for this page only
                return session.find_page(finder, after)

        return cast(Iterator[R], _RecordStream(fetch, finder.ops.codec.decode_page))

    def count(self, kind: type[Record], /, by: Sequence[str] = (), **criteria: Any) -> Counts:
        cls = record_type(kind)
        with self._reading(f"count {cls.kind} records") as session:
            return session.count(cls, by, criteria)

    def aggregate(
        self, kind: type[Record], by: Sequence[str], measures: Sequence[Any], /, **criteria: Any
    ) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """Distinct counts, sums and quantiles of days per group, computed by the database
        (`kk_core.analysis.measures`: the same answers as the Python reference)."""
        cls = record_type(kind)
        with self._reading(f"aggregate {cls.kind} records") as session:
            return session.aggregate(cls, by, measures, criteria)

    def put(self, record: R) -> R:
        with self._writing(f"put {record.kind} {_quoted(record.id)}") as session:
            return cast(R, session.put_many([record])[0])

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        batch = list(records)
        if not batch:
            if self._read_only:
                raise ReadOnlyError(f"{self._url} is read-only")
            return []
        with self._writing(f"put {len(batch)} record(s)") as session:
            return session.put_many(batch)

    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        cls = record_type(kind)
        with self._writing(f"delete {cls.kind} {_quoted(record_id)}") as session:
            session.delete(cls, record_id, version)

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        tx = SqlTransaction(self)
        try:
            yield tx
        finally:
            tx.rollback()  # nothing when it was committed

    def close(self) -> None:
        """Release the connections (and delete a temporary database). Idempotent."""
        self._closed = True
        self._finalizer()


def _dispose(engine: sa.Engine, cleanup: Callable[[], None]) -> None:
    try:
        engine.dispose()
    finally:
        cleanup()


def open_sql_store(url: str, /, **options: Any) -> SqlStore:
    """Factory for ``sqlite://`` and ``postgresql://`` URLs (see `kk_adapters.sql.engine`)."""
    return SqlStore(url, **options)
