"""The contract catches an adapter that lets its driver's errors out.

The SQL store with its error translation taken out (what an adapter author's first
draft often is) must fail the contract's error tests; the real SQL store passes them
(tests/contract/test_sql_sqlite.py). Before the contract checked backend failures and
values no store can hold, a store with all of its error wrapping removed passed every
contract test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from kk_adapters.sql.store import SqlStore, SqlTransaction
from kk_core import Store
from kk_core.testing.contract import StoreContract
from sql_support import failing_sqlite


@contextmanager
def _untranslated(self: Any, doing: str) -> Iterator[None]:
    yield


class UntranslatedTransaction(SqlTransaction):
    _translated = _untranslated


class UntranslatedStore(SqlStore):
    """`SqlStore` with every ``_translated`` wrapper removed."""

    _translated = _untranslated

    @contextmanager
    def transaction(self) -> Iterator[SqlTransaction]:
        tx = UntranslatedTransaction(self)
        try:
            yield tx
        finally:
            tx.rollback()


class Contract(StoreContract):
    def make_store(self) -> Store:
        return UntranslatedStore("sqlite://")

    def failing_backend(self, store: Store) -> AbstractContextManager[None]:
        assert isinstance(store, SqlStore)
        return failing_sqlite(store)


@pytest.mark.parametrize("test_name", ["test_backend_failure_is_a_storage_error"])
def test_contract_catches_a_driver_error_let_out(test_name: str) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"only kk_core\.errors types may leave"):
        getattr(Contract(), test_name)()
