"""The SQL store when the disk, the file or the pool fails: errors that say what happened.

* a full SQLite file (``PRAGMA max_page_count``) reports a full disk, not "no such
  savepoint", and a transaction it ended says so;
* driver errors are classified ("database unavailable or failing" only when it is);
* ``?check=quick`` / ``full`` refuses a damaged SQLite file on open;
* every connection of the pool in use: the wait honours ``?timeout=``.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from kk_adapters.sql.errors import MESSAGE_LIMIT, translate
from kk_adapters.sql.store import SqlStore
from kk_core.cases import Case
from kk_core.errors import StorageError
from sql_support import StoreMaker, many_cases

URL = "sqlite:///kk.db"


def _chain(error: BaseException) -> list[BaseException]:
    """The error and every exception chained to it, shown or not."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [current.__context__, current.__cause__]
    return seen


# --------------------------------------------------------------------------- a full disk


def _fill_up(store: SqlStore, spare_pages: int = 2) -> None:
    """From now on the store's connections may grow the file by only a few pages."""
    store.engine.dispose()  # new connections, each with the limit

    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + spare_pages}")


def _assert_says_full(error: BaseException) -> None:
    message = str(error)
    assert isinstance(error, StorageError)
    assert "disk is full" in message, message
    assert "savepoint" not in message
    assert "unavailable" not in message


@pytest.fixture
def full_store(tmp_path: Path) -> Any:
    store = SqlStore(f"sqlite:///{tmp_path / 'kk.db'}")
    store.put_many(many_cases(300))
    _fill_up(store)
    yield store
    store.close()


def test_a_full_disk_on_put_many_says_so(full_store: SqlStore) -> None:
    with pytest.raises(StorageError) as caught:
        full_store.put_many(many_cases(3000, prefix="new"))
    _assert_says_full(caught.value)
    assert full_store.count(Case) == {(): 300}


def test_a_full_disk_on_updating_puts_says_so(full_store: SqlStore) -> None:
    """Updates take the general path, inside a savepoint that SQLite's own rollback on a
    full disk removes: the full disk must win over "no such savepoint"."""
    stored = list(full_store.find(Case))
    changed = [attrs.evolve(c, summary=c.summary + " " + "x" * 3000) for c in stored]
    with pytest.raises(StorageError) as caught:
        full_store.put_many(changed)
    _assert_says_full(caught.value)
    assert [c.version for c in full_store.find(Case)] == [1] * 300


def test_a_full_disk_ends_the_transaction_and_says_so(full_store: SqlStore) -> None:
    first = many_cases(1, prefix="tx")[0]
    with full_store.transaction() as tx:
        tx.put(first)
        with pytest.raises(StorageError) as caught:
            tx.put_many(many_cases(3000, prefix="new"))
        _assert_says_full(caught.value)
        # SQLite rolled the whole transaction back: going on would write outside it
        with pytest.raises(StorageError, match="rolled back after an error") as later:
            tx.put(many_cases(1, prefix="late")[0])
        assert "disk is full" in str(later.value)
        with pytest.raises(StorageError, match="rolled back after an error"):
            tx.commit()
    assert full_store.count(Case) == {(): 300}
    with pytest.raises(StorageError):
        full_store.get(Case, first.id)


# --------------------------------------------------------------------------- classification


def _sqlite_error(name: str, text: str) -> sqlite3.Error:
    error = sqlite3.OperationalError(text)
    error.sqlite_errorname = name
    return error


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("SQLITE_FULL", "database or disk is full", "the disk is full"),
        ("SQLITE_IOERR_WRITE", "disk I/O error", "disk I/O error"),
        ("SQLITE_CORRUPT", "database disk image is malformed", "file is damaged"),
        ("SQLITE_NOTADB", "file is not a database", "not a SQLite database"),
        ("SQLITE_READONLY", "attempt to write a readonly database", "cannot be written"),
        ("SQLITE_CANTOPEN", "unable to open database file", "cannot open the database file"),
        ("SQLITE_ERROR", "no such table: kk_case", "is the schema intact"),
    ],
)
def test_sqlite_failures_say_what_happened(name: str, text: str, says: str) -> None:
    for raw in (_sqlite_error(name, text), sa.exc.OperationalError("SELECT 1", {}, None)):
        if isinstance(raw, sa.exc.OperationalError):
            raw.orig = _sqlite_error(name, text)
        error = translate(raw, url=URL, doing="put 3 record(s)")
        assert isinstance(error, StorageError)
        assert says in str(error)
        assert text in str(error)  # the driver's own words follow
        failing = name.startswith("SQLITE_IOERR")
        assert ("database unavailable or failing" in str(error)) == failing


def _pg_error(state: str, text: str) -> Exception:
    psycopg = pytest.importorskip("psycopg")
    error: Exception = psycopg.errors.lookup(state)(text)
    return error


@pytest.mark.parametrize(
    ("state", "says", "unavailable"),
    [
        ("08006", "connection to the server failed or was lost", True),
        ("57P01", "shutting down", True),
        ("53100", "disk is full", False),
        ("53300", "too many connections", False),
        ("54000", "exceeds a limit of the database", False),
        ("57014", "statement was cancelled", False),
        ("XX001", "damaged data", False),
        ("XX000", "internal error", False),
        ("28P01", "refused the login", False),
        ("22021", "refused a value", False),
    ],
)
def test_postgres_sqlstates_say_what_happened(state: str, says: str, unavailable: bool) -> None:
    text = f"the server's words for {state}"
    error = translate(_pg_error(state, text), url="postgresql://kk@db/kk", doing="count")
    assert isinstance(error, StorageError)
    assert says in str(error)
    assert text in str(error)
    assert ("database unavailable or failing" in str(error)) == unavailable


def test_driver_messages_are_bounded_and_quote_no_row_values() -> None:
    raw = _pg_error("23505", 'duplicate key value violates unique constraint "ux"')
    raw.args = (
        'duplicate key value violates unique constraint "ux"\n'
        "DETAIL:  Key (nik)=(5203121234560001) already exists.\n"
        "HINT:  check the deployment's own constraints",
    )
    error = translate(raw, url="postgresql://kk@db/kk", doing="put 1 record(s)")
    assert "5203121234560001" not in str(error)
    assert "HINT" in str(error)
    refused = _pg_error("22P02", 'invalid input syntax for type integer: "Siti 5203121234560001"')
    shown = str(translate(refused, url="postgresql://kk@db/kk", doing="count"))
    assert "Siti" not in shown
    assert "5203121234560001" not in shown
    assert "invalid input syntax for type integer" in shown
    digits = _sqlite_error("SQLITE_ERROR", "no such column: 5203121234560001")
    assert "5203121234560001" not in str(translate(digits, url=URL, doing="count"))
    long = translate(_sqlite_error("SQLITE_ERROR", "near " + "x" * 5000), url=URL, doing="count")
    assert len(str(long)) < MESSAGE_LIMIT + 200


def test_a_dropped_table_is_not_an_unavailable_database(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    engine = store_maker.admin()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE kk_hamlet")
    engine.dispose()
    from kk_core.places import Hamlet

    with pytest.raises(StorageError) as caught:
        store.get(Hamlet, "dsn-1")
    assert "is the schema intact" in str(caught.value)
    assert "unavailable" not in str(caught.value)


@pytest.mark.postgres
def test_a_value_too_large_for_an_index_is_a_limit_not_an_outage(postgres_url: str) -> None:
    """A real PostgreSQL error, class 54 (program limit exceeded)."""
    engine = sa.create_engine(postgres_url)
    noise = random.Random(5)  # incompressible, so the index entry stays too large
    text = "".join(chr(noise.randrange(0x100, 0x2000)) for _ in range(3000))
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE t (v text PRIMARY KEY)")
        with pytest.raises(sa.exc.SQLAlchemyError) as caught:
            conn.execute(sa.text("INSERT INTO t VALUES (:v)"), {"v": text})
    engine.dispose()
    error = translate(caught.value, url="postgresql://kk@db/kk", doing="put 1 record(s)")
    assert "exceeds a limit of the database" in str(error)
    assert "unavailable" not in str(error)
    assert text[:100] not in str(error)


# --------------------------------------------------------------------------- a damaged file


def _damage(path: Path, pages: int = 4) -> None:
    """Overwrite ``pages`` pages in the middle of a SQLite file with noise."""
    size = path.stat().st_size
    page = 4096
    total = size // page
    noise = random.Random(13)
    with path.open("r+b") as f:
        for n in range(pages):
            f.seek((total // 2 + n * 3) * page)
            f.write(bytes(noise.randrange(256) for _ in range(page)))


@pytest.fixture
def damaged_file(tmp_path: Path) -> Path:
    path = tmp_path / "kk.db"
    with SqlStore(f"sqlite:///{path}") as store:
        store.put_many(many_cases(3000))
    assert not Path(f"{path}-wal").exists()  # everything is in the file itself
    _damage(path)
    return path


@pytest.mark.parametrize("check", ["quick", "full"])
def test_check_refuses_a_damaged_file(damaged_file: Path, check: str) -> None:
    with pytest.raises(StorageError) as caught:
        SqlStore(f"sqlite:///{damaged_file}?check={check}")
    message = str(caught.value)
    assert "damaged" in message
    assert "backup" in message


def test_check_is_what_catches_the_damage(damaged_file: Path) -> None:
    """Without a check the damaged file opens as if sound (which is why the option
    exists); with ``check=quick`` it is refused, also read-only."""
    with SqlStore(f"sqlite:///{damaged_file}?read_only=true") as store:
        assert store.schema_version >= 1
    with pytest.raises(StorageError, match="damaged"):
        SqlStore(f"sqlite:///{damaged_file}?check=quick&read_only=true")


@pytest.mark.parametrize("check", ["quick", "full", "none"])
def test_check_opens_a_sound_file(tmp_path: Path, check: str) -> None:
    path = tmp_path / "kk.db"
    with SqlStore(f"sqlite:///{path}") as store:
        store.put_many(many_cases(50))
    with SqlStore(f"sqlite:///{path}", check=check) as store:
        assert store.count(Case) == {(): 50}


# --------------------------------------------------------------------------- the pool


def test_waiting_for_a_connection_honours_the_timeout(store_maker: StoreMaker) -> None:
    store = store_maker.open(timeout=0.5)
    held = [store.transaction() for _ in range(15)]
    open_ = [cm.__enter__() for cm in held]
    try:
        with pytest.raises(StorageError) as caught:
            store.get(Case, "c0000000")
        message = str(caught.value)
        assert "no free database connection" in message
        assert "waited 0.5 s" in message
        assert "all 15 connections" in message
    finally:
        for cm in held:
            cm.__exit__(None, None, None)
    assert len(open_) == 15
    with pytest.raises(StorageError, match="no c"):
        store.get(Case, "c0000000")  # a connection is free again: a plain NotFoundError


# -------------------------------------------------------- nothing of the driver's is chained


def test_no_driver_exception_is_chained_to_a_store_error(store_maker: StoreMaker) -> None:
    """A constraint an administrator added (the SQL how-to allows extra indexes): the
    driver's exception quotes the row ("Key (companion_id)=(…)"), so it is not kept on
    ``__context__`` or ``__cause__`` of the error the store raises, on any write path."""
    store = store_maker.open()
    with store_maker.admin().begin() as conn:
        conn.exec_driver_sql(
            "CREATE UNIQUE INDEX kk_one_case_per_companion ON kk_case (companion_id)"
        )
    first, second = (attrs.evolve(c, companion_id="pendamping-rahasia") for c in many_cases(2))
    store.put(first)
    writes = [
        lambda: store.put(second),
        lambda: store.put_many([second]),
        lambda: _put_in_transaction(store, second),
    ]
    for write in writes:
        with pytest.raises(StorageError, match="constraint") as caught:
            write()
        chain = _chain(caught.value)
        assert chain == [caught.value], [type(e).__name__ for e in chain]


def _put_in_transaction(store: SqlStore, case: Case) -> None:
    with store.transaction() as tx:
        tx.put(case)
        tx.commit()
