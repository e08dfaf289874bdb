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
from unittest import mock

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


@pytest.mark.parametrize(
    "test_name",
    [
        "test_backend_failure_is_a_storage_error",
        "test_values_no_store_can_hold_are_validation_errors",
    ],
)
def test_contract_catches_a_driver_error_let_out(test_name: str) -> None:
    """Without translation, and without the value checks (as an adapter that does not
    call `kk_core.values.check_record`), the driver's own error comes out: caught."""
    with (
        mock.patch("kk_adapters.sql.rows.check_record", return_value=None),
        pytest.raises(pytest.fail.Exception, match=r"only kk_core\.errors types may leave"),
    ):
        getattr(Contract(), test_name)()


def test_contract_catches_values_left_to_the_driver() -> None:
    """With translation but without the value checks, a lone surrogate becomes a
    StorageError from the driver, not a ValidationError naming the field: caught."""

    class Translated(Contract):
        def make_store(self) -> Store:
            return SqlStore("sqlite://")

    with (
        mock.patch("kk_adapters.sql.rows.check_record", return_value=None),
        pytest.raises(pytest.fail.Exception, match="expected ValidationError, got StorageError"),
    ):
        Translated().test_values_no_store_can_hold_are_validation_errors()


def test_the_real_sql_store_passes_the_same_tests() -> None:
    class Real(Contract):
        def make_store(self) -> Store:
            return SqlStore("sqlite://")

    Real().test_backend_failure_is_a_storage_error()
    Real().test_values_no_store_can_hold_are_validation_errors()
