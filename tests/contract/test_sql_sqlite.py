"""The SQL adapter on SQLite passes the Store contract (the embedded default)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from kk_adapters.sql.store import SqlStore
from kk_core import Record, Store, open_store
from kk_core.testing.contract import StoreContract
from sql_support import failing_sqlite

_files = itertools.count()


class TestSqliteStore(StoreContract):
    # One writer at a time: a second writer waits for the first one's commit.
    interleaved_transactions = False
    streaming_peak_bytes = 6_000_000

    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path: Path) -> None:
        self.tmp = tmp_path

    def make_store(self) -> Store:
        return open_store("sqlite://")

    def make_readonly_store(self, records: Sequence[Record]) -> Store:
        path = self.tmp / f"readonly-{next(_files)}.db"
        with open_store(f"sqlite:///{path}") as store:  # type: ignore[attr-defined]
            store.put_many(records)
        return open_store(f"sqlite:///{path}?read_only=true")

    def failing_backend(self, store: Store) -> AbstractContextManager[None]:
        assert isinstance(store, SqlStore)
        return failing_sqlite(store)


class TestSqliteFileStore(TestSqliteStore):
    """The same on a named database file, opened by a relative URL."""

    def make_store(self) -> Store:
        path = self.tmp / f"store-{next(_files)}.db"
        return open_store(f"sqlite:///{path}")
