"""Shared helpers of the SQL adapter's integration tests (not a test module)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from kk_adapters.sql.store import SqlStore
from kk_core.cases import Case
from kk_core.testing.contract import sample_cases

__all__ = ["BACKENDS", "StoreMaker", "failing_sqlite", "many_cases", "store_maker"]

BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgres))
_schemas = itertools.count()


class StoreMaker:
    """Opens stores on one database: a SQLite file, or a PostgreSQL schema of its own."""

    def __init__(self, backend: str, tmp_path: Path, postgres_url: str | None) -> None:
        self.backend = backend
        self.stores: list[SqlStore] = []
        if backend == "sqlite":
            self.url = f"sqlite:///{tmp_path / 'kk.db'}"
            self.schema = None
        else:
            assert postgres_url is not None
            self.schema = f"kk_it_{os.getpid()}_{next(_schemas)}"
            glue = "&" if "?" in postgres_url else "?"
            self.url = f"{postgres_url}{glue}schema={self.schema}"
            self.base = postgres_url

    def open(self, **options: object) -> SqlStore:
        store = SqlStore(self.url, **options)
        self.stores.append(store)
        return store

    def admin(self) -> sa.Engine:
        """An engine on the same database (and schema), for poking at tables directly."""
        if self.backend == "sqlite":
            return sa.create_engine(self.url)
        return sa.create_engine(
            self.base, connect_args={"options": f"-c search_path={self.schema}"}
        )

    def close(self) -> None:
        for store in self.stores:
            store.close()
        if self.schema is not None:
            engine = sa.create_engine(self.base, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
            engine.dispose()


@pytest.fixture(params=BACKENDS)
def store_maker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreMaker]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    maker = StoreMaker(request.param, tmp_path, url)
    try:
        yield maker
    finally:
        maker.close()


@contextmanager
def failing_sqlite(store: SqlStore) -> Iterator[None]:
    """Every insert or update of a case fails inside SQLite, mid-statement (the
    contract's ``failing_backend`` for SQLite stores)."""
    engine = sa.create_engine(store.engine.url)
    fail = "BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TRIGGER fail_insert BEFORE INSERT ON kk_case {fail}")
        conn.exec_driver_sql(f"CREATE TRIGGER fail_update BEFORE UPDATE ON kk_case {fail}")
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER fail_insert")
            conn.exec_driver_sql("DROP TRIGGER fail_update")
        engine.dispose()


def many_cases(n: int, prefix: str = "c") -> list[Case]:
    """``n`` distinct cases (ids ``{prefix}0000000`` …) made from the contract's samples."""
    base = sample_cases(42)
    return [
        attrs.evolve(
            base[i % 42],
            id=f"{prefix}{i:07d}",
            reported_on=base[i % 42].reported_on + timedelta(days=i % 5),
            closed_on=None
            if base[i % 42].closed_on is None
            else base[i % 42].closed_on + timedelta(days=i % 5),  # type: ignore[operator]
            summary=f"Kasus {i}",
        )
        for i in range(n)
    ]


EPOCH = date(2024, 1, 1)
