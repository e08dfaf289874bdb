"""The database release 0.1.0 wrote, for the upgrade tests (not a test module).

``tests/fixtures/release-0.1.0-teros.db.gz`` is the example year as release 0.1.0
stored it (schema version 2; see the README beside it). ``upgraded_release`` opens it
with this library, which upgrades it: the file itself on SQLite; on PostgreSQL a schema
made at version 2 with the file's rows copied in.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kk_adapters.sql.engine import make_engine, parse_url
from kk_adapters.sql.migrations import upgrade
from kk_adapters.sql.schema import build_schema
from kk_adapters.sql.store import SqlStore
from sql_support import StoreMaker

__all__ = ["FIXTURE", "old_connection", "old_rows", "upgraded_release"]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "release-0.1.0-teros.db.gz"


def old_connection() -> sqlite3.Connection:
    """The release database, read-only in memory (rows as `sqlite3.Row`)."""
    with gzip.open(FIXTURE) as packed:
        raw = packed.read()
    connection = sqlite3.connect(":memory:")
    connection.deserialize(raw)
    connection.row_factory = sqlite3.Row
    return connection


def _old_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row of every kk_ table of the fixture, by table (the version table aside)."""
    connection = old_connection()
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'kk_%'"
        )
        if name != "kk_schema_version"
    ]
    rows = {t: [dict(r) for r in connection.execute(f'SELECT * FROM "{t}"')] for t in tables}
    connection.close()
    return rows


@pytest.fixture(scope="module")
def old_rows() -> dict[str, list[dict[str, Any]]]:
    return _old_rows()


def _typed(column: sa.Column[Any], value: Any) -> Any:
    """A SQLite value as the PostgreSQL column of schema version 2 takes it."""
    if value is None:
        return None
    if isinstance(column.type, sa.Boolean):
        return bool(value)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    if column.name == "at":  # the timeline's timestamptz
        return datetime.fromisoformat(value)
    return value


@pytest.fixture
def upgraded_release(
    store_maker: StoreMaker, tmp_path: Path, old_rows: dict[str, list[dict[str, Any]]]
) -> Iterator[SqlStore]:
    """The release 0.1.0 database opened (so upgraded) by this library: the file itself
    on SQLite; on PostgreSQL a schema made at version 2, the file's rows copied in."""
    if store_maker.backend == "sqlite":
        target = Path(store_maker.url.removeprefix("sqlite:///"))
        with gzip.open(FIXTURE) as packed, target.open("wb") as out:
            shutil.copyfileobj(packed, out)
    else:
        engine, _ = make_engine(parse_url(store_maker.url, {}))
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{store_maker.schema}"')
        assert upgrade(engine, target=2, fresh_install=False) == [1, 2]
        tables = build_schema(2).metadata.tables
        with engine.begin() as conn:
            for table in build_schema(2).metadata.sorted_tables:  # parents first
                if table.name == "kk_schema_version" or not old_rows[table.name]:
                    continue
                rows = [
                    {c.name: _typed(c, row[c.name]) for c in tables[table.name].columns}
                    for row in old_rows[table.name]
                ]
                conn.execute(table.insert(), rows)
        engine.dispose()
    store = store_maker.open()  # upgrades on open
    yield store
    store.close()
