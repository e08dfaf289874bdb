"""Every failure of the SQL adapter is a clear `kk_core.errors` type, never a driver's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from kk_adapters.sql.store import SqlStore
from kk_core import open_store
from kk_core.cases import Case
from kk_core.errors import ConflictError, KKError, NotFoundError, StorageError, ValidationError
from kk_core.places import Hamlet
from kk_core.testing.contract import sample_cases
from sql_support import StoreMaker, many_cases


@pytest.mark.parametrize(
    ("url", "path", "says"),
    [
        ("sqlite:relative.db", "url", "use sqlite:///relative/path.db"),
        ("sqlite://somehost/kk.db", "url.host", "has no host"),
        ("sqlite:///", "url.path", "no file name"),
        ("sqlite:///kk.db?colour=red", "url.query.colour", "unknown SQLite store option"),
        ("sqlite:///kk.db?read_only=perhaps", "url.query.read_only", "not true or false"),
        ("sqlite:///kk.db?timeout=soon", "url.query.timeout", "number of seconds"),
        ("sqlite:///kk.db?timeout=nan", "url.query.timeout", "between 0 and"),
        ("sqlite:///kk.db?retries=-1", "url.query.retries", "whole number"),
        ("sqlite:///kk.db?schema=x", "url.query.schema", "schema option is for PostgreSQL"),
        ("sqlite:///kk.db?check=deep", "url.query.check", "none, quick, full"),
        ("sqlite:///data#2.db?read_only=true", "url", "no '#' part"),
        ("postgresql+asyncpg://kk@localhost/kk", "url.scheme", "only the psycopg (3) driver"),
        ("postgresql://kk:s3cret@localhost:notaport/kk", "url.port", "must be a number"),
        (
            "postgresql://kk@localhost/kk?schema=bad;name",
            "url.query.schema",
            "plain SQL identifier",
        ),
        ("postgresql://kk@localhost/kk?check=quick", "url.query.check", "for SQLite files"),
        ("postgresql://kk@localhost/kk?conect_timeout=2", "url.query.conect_timeout", "libpq"),
        ("postgresql://kk:s3cret#x@localhost/kk", "url", "%23"),
        ("postgresql://kk:s3cret/x@localhost/kk", "url.password", "%2F"),
        ("postgresql://kk:s3cret?x@localhost/kk", "url.password", "%3F"),
        ("postgresql://kk:s3cret@x@localhost/kk", "url.password", "%40"),
    ],
)
def test_bad_urls_name_the_part(
    url: str, path: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL the store cannot use is a ValidationError naming the part, never a driver
    error or a PluginError, and never showing the password."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError) as caught:
        open_store(url)
    assert [p.path for p in caught.value.problems] == [path]
    assert says in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert not list(tmp_path.iterdir())  # nothing was created


def test_bad_keyword_options_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(f"sqlite:///{tmp_path / 'kk.db'}?timeout=1", colour="red", retries="x")
    assert [p.path for p in caught.value.problems] == ["options.colour", "options.retries"]


def test_keyword_option_wins_over_the_url_and_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        open_store(f"sqlite:///{tmp_path / 'kk.db'}?timeout=1", timeout="soon")
    assert [p.path for p in caught.value.problems] == ["options.timeout"]
    store = open_store(f"sqlite:///{tmp_path / 'kk.db'}?timeout=soon", timeout=2)
    assert store.count(Case).get((), 0) == 0
    store.close()


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="unable to open database file"):
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'kk.db'}")


def test_unreachable_server_hides_the_password() -> None:
    with pytest.raises(StorageError) as caught:
        open_store("postgresql://kk:s3cret@127.0.0.1:1/kk?connect_timeout=2")
    message = str(caught.value)
    assert "s3cret" not in message
    assert "***" in message
    assert "database unavailable" in message


def _run_without(module: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where importing ``module`` fails."""
    prelude = f"import sys\nsys.modules[{module!r}] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_postgres_driver_names_the_extra() -> None:
    done = _run_without(
        "psycopg",
        """
        from kk_core import open_store
        from kk_core.errors import StorageError
        try:
            open_store("postgresql://kk@localhost/kk")
        except StorageError as exc:
            print("ERROR:", exc)
        """,
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'kelompok-konstituen[postgres]'" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_missing_sqlalchemy_names_the_extra_and_other_stores_still_load() -> None:
    done = _run_without(
        "sqlalchemy",
        """
        from kk_core import open_store
        from kk_core.errors import StorageError
        print(type(open_store("memory://")).__name__)
        try:
            open_store("sqlite:///kk.db")
        except StorageError as exc:
            print("ERROR:", exc)
        """,
    )
    assert done.returncode == 0, done.stderr
    assert "MemoryStore" in done.stdout
    assert "pip install 'kelompok-konstituen[sql]'" in done.stdout


def test_constraint_violation_is_a_storage_error(store_maker: StoreMaker) -> None:
    """A deployment's own constraint (one hamlet name per village) refuses a write:
    a `StorageError` naming the constraint; not a conflict, and nothing half-written."""
    store = store_maker.open()
    engine = store_maker.admin()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE UNIQUE INDEX ux_hamlet_name ON kk_hamlet (village_id, name)")
    engine.dispose()
    store.put(Hamlet("dsn-1", "52.03.12.2005", "Lendang Nangka"))
    with pytest.raises(StorageError) as caught:
        store.put(Hamlet("dsn-2", "52.03.12.2005", "Lendang Nangka"))
    assert not isinstance(caught.value, ConflictError)
    assert "violates a database constraint" in str(caught.value)
    batch = [Hamlet(f"dsn-{i}", "52.03.12.2005", f"Dusun {i}") for i in range(3, 9)]
    batch.append(Hamlet("dsn-9", "52.03.12.2005", "Lendang Nangka"))
    with pytest.raises(StorageError, match="violates a database constraint"):
        store.put_many(batch)
    assert [h.id for h in store.find(Hamlet)] == ["dsn-1"]
    with store.transaction() as tx:
        tx.put(Hamlet("dsn-3", "52.03.12.2005", "Dusun 3"))
        with pytest.raises(StorageError, match="violates a database constraint"):
            tx.put(Hamlet("dsn-4", "52.03.12.2005", "Lendang Nangka"))
        tx.put(Hamlet("dsn-5", "52.03.12.2005", "Dusun 5"))  # the transaction goes on
        tx.commit()
    assert [h.id for h in store.find(Hamlet)] == ["dsn-1", "dsn-3", "dsn-5"]


def test_damaged_row_is_a_storage_error(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    store.put_many(many_cases(3))
    engine = store_maker.admin()
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE kk_case SET data = 'not json' WHERE id = 'c0000001'"))
        conn.execute(
            sa.text("UPDATE kk_case SET data = '{\"id\": \"c0000002\"}' WHERE id = 'c0000002'")
        )
    engine.dispose()
    with pytest.raises(StorageError, match="not valid JSON"):
        store.get(Case, "c0000001")
    with pytest.raises(StorageError, match="no longer reads as a valid record"):
        store.get(Case, "c0000002")
    found = store.find(Case)
    assert next(found).id == "c0000000"
    with pytest.raises(StorageError):
        next(found)
    assert store.get(Case, "c0000000").version == 1


def test_closed_store_refuses(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'kk.db'}")
    store.close()
    store.close()  # idempotent
    with pytest.raises(StorageError, match="closed"):
        store.get(Case, "x")
    with pytest.raises(StorageError, match="closed"):
        store.put(sample_cases(1)[0])


def test_only_kk_errors_leave_a_transaction(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    case = store.put(sample_cases(1)[0])
    with store.transaction() as tx:
        with pytest.raises(ConflictError):
            tx.put(attrs.evolve(case, version=5, summary="x"))
        with pytest.raises(NotFoundError):
            tx.delete(Case, "nobody")
        assert tx.get(Case, case.id) == case
        tx.commit()
    with pytest.raises(StorageError):
        tx.commit()
    for error in (ConflictError, NotFoundError, StorageError):
        assert issubclass(error, KKError)
