"""`kk_adapters.sql.plan_upgrade`: what an upgrade would do, read without writing; and a
read-only store never creates a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from kk_adapters.sql import UpgradePlan, plan_upgrade
from kk_adapters.sql.engine import make_engine, parse_url
from kk_adapters.sql.errors import SchemaVersionError
from kk_adapters.sql.migrations import MIGRATIONS, schema_version, upgrade
from kk_adapters.sql.schema import LATEST_VERSION
from kk_core import open_store
from kk_core.errors import StorageError
from sql_support import StoreMaker


def _engine(maker: StoreMaker) -> sa.Engine:
    engine, _ = make_engine(parse_url(maker.url, {}))
    if maker.schema is not None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{maker.schema}"')
    return engine


def test_a_missing_file_is_reported_not_created(tmp_path: Path) -> None:
    path = tmp_path / "kk.db"
    plan = plan_upgrade(f"sqlite:///{path}")
    assert plan == UpgradePlan(f"sqlite:///{path}", False, 0, LATEST_VERSION, MIGRATIONS)
    assert not plan.up_to_date
    assert not path.exists()


def test_an_older_database_is_read_not_changed(store_maker: StoreMaker) -> None:
    engine = _engine(store_maker)
    upgrade(engine, target=2, fresh_install=False)
    plan = plan_upgrade(store_maker.url)
    assert plan.exists
    assert plan.current == 2
    assert [m.version for m in plan.steps] == list(range(3, LATEST_VERSION + 1))
    with engine.connect() as conn:
        assert schema_version(conn) == 2
    engine.dispose()
    store_maker.open().close()  # upgrades
    assert plan_upgrade(store_maker.url).up_to_date


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kk.db'}"
    open_store(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO kk_schema_version VALUES (:v, 'from the future', 'x')"),
            {"v": LATEST_VERSION + 1},
        )
    engine.dispose()
    with pytest.raises(SchemaVersionError, match="newer than this library"):
        plan_upgrade(url)


def test_an_unreachable_server_is_a_storage_error_without_its_password() -> None:
    password = "Pl4n-s3cret-pw"
    with pytest.raises(StorageError) as caught:
        plan_upgrade(f"postgresql://kk:{password}@127.0.0.1:1/kk?connect_timeout=2")
    error = caught.value
    assert password not in str(error)
    assert "postgresql://kk:***@127.0.0.1:1/kk" in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None


def test_a_read_only_store_does_not_create_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "kk.db"
    with pytest.raises(StorageError, match="no database file at this path"):
        open_store(f"sqlite:///{path}", read_only=True)
    assert list(tmp_path.iterdir()) == []
    open_store(f"sqlite:///{path}").close()
    with open_store(f"sqlite:///{path}", read_only=True) as store:  # type: ignore[attr-defined]
        assert store.capabilities.read_only
