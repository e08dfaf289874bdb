"""The contract has teeth: stores with one planted fault each fail the test meant to catch it.

Each broken store is the memory store with one thing done wrong, the way a real adapter
might get it wrong (a locale collation, last-write-wins, a non-atomic batch…).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from kk_adapters.memory import MemoryStore, MemoryTransaction
from kk_core import Case, Record, Store
from kk_core.dimensions import compile_criteria, matches
from kk_core.errors import NotFoundError, StorageError
from kk_core.testing.contract import StoreContract, StoreStateMachine

R = TypeVar("R", bound=Record)

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# Finding a planted fault is enough: no shrinking (slow on rich records), no replay.
# Derandomized, so whether a fault is caught never depends on the run: a search that
# misses a fault misses it every time, and is fixed, instead of failing CI by chance
# (it did, 1 run in 40, with a random search of 25 examples).
FIND_ONLY = settings(
    max_examples=60,
    derandomize=True,
    phases=[Phase.generate],
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


class ListFind(MemoryStore):
    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        return list(super().find(kind, **criteria))  # type: ignore[return-value]


class CaseInsensitiveOrder(MemoryStore):
    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        return iter(sorted(super().find(kind, **criteria), key=lambda r: r.id.lower()))


class ExclusiveRangeEnd(MemoryStore):
    def find(self, kind: type[R], /, **criteria: Any) -> Iterator[R]:
        conditions = compile_criteria(kind, criteria)
        return (
            r
            for r in super().find(kind, **criteria)
            if matches(r, conditions)
            and not any(
                c.op == "between" and c.dimension.read(r) == c.value.end for c in conditions
            )
        )


class LastWriteWins(MemoryStore):
    def put(self, record: R) -> R:
        current = self._lookup(record.kind, record.id)
        if current is not None:
            record = attrs.evolve(record, version=current.version)
        return super().put(record)


class BumpsOnNoop(MemoryStore):
    def put(self, record: R) -> R:
        current = self._lookup(record.kind, record.id)
        if current is not None and attrs.evolve(current, version=0) == attrs.evolve(
            record, version=0
        ):
            bumped = attrs.evolve(current, version=current.version + 1)
            self._data[record.kind][record.id] = bumped
            return bumped
        return super().put(record)


class NotAtomicBatch(MemoryStore):
    def put_many(self, records: Iterable[Record]) -> list[Record]:
        return [self.put(r) for r in records]


class IgnoresDeleteVersion(MemoryStore):
    def delete(self, kind: type[Record], record_id: str, *, version: int | None = None) -> None:
        super().delete(kind, record_id)


class CommitsOnExit(MemoryStore):
    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        tx = MemoryTransaction(self)
        yield tx
        if not tx._done:
            tx.commit()


class TruncatesText(MemoryStore):
    def put(self, record: R) -> R:
        if isinstance(record, Case):
            record = attrs.evolve(record, summary=record.summary[:65_535])  # type: ignore[assignment]
        return super().put(record)


class LeaksKeyError(MemoryStore):
    def get(self, kind: type[R], record_id: str) -> R:
        try:
            return super().get(kind, record_id)
        except NotFoundError:
            raise KeyError(record_id) from None


class FailingBackend(MemoryStore):
    """A store whose backend can be made to fail mid-write, as a full disk would; a
    correct adapter reports that as a `StorageError` and keeps nothing of the write."""

    failing = False

    def _apply(self, overlay: Any, base: Any) -> None:
        if self.failing:
            cause = OSError(28, "No space left on device")
            self._fail(cause)
        super()._apply(overlay, base)

    def _fail(self, cause: OSError) -> None:
        raise StorageError(f"{self.url}: the backend failed: {cause}")


class LeaksBackendError(FailingBackend):
    def _fail(self, cause: OSError) -> None:
        raise cause


class AcceptsAnyValue(MemoryStore):
    """Skips `kk_core.values`: keeps a NUL, a lone surrogate, a 2**63 that no SQL column or
    file could keep (a dict can), so the same program would fail on another store."""

    def put(self, record: R) -> R:
        with mock.patch("kk_core.store.check_record", return_value=None):
            return super().put(record)

    def put_many(self, records: Iterable[Record]) -> list[Record]:
        with mock.patch("kk_core.store.check_record", return_value=None):
            return super().put_many(records)


class WritableReadOnly(MemoryStore):
    def put_many(self, records: Iterable[Record]) -> list[Record]:
        stored = []
        for record in records:
            stored.append(attrs.evolve(record, version=1))
            self._data.setdefault(record.kind, {})[record.id] = stored[-1]
        return stored


def _contract(store_class: type[MemoryStore]) -> StoreContract:
    class Contract(StoreContract):
        large_result_size = 300

        def hypothesis_settings(self) -> settings:
            return FIND_ONLY

        def make_store(self) -> Store:
            return store_class()

        def make_readonly_store(self, records: Sequence[Record]) -> Store:
            return store_class(read_only=True, records=records)

        @contextmanager
        def failing_backend(self, store: Store) -> Iterator[None]:
            if not isinstance(store, FailingBackend):
                raise NotImplementedError
            store.failing = True
            try:
                yield
            finally:
                store.failing = False

    return Contract()


def _fails(test: Callable[[], None]) -> None:
    """The test fails on the broken store by one of its own checks (an assertion or a
    named rule), not by crashing on something else."""
    with pytest.raises((AssertionError, pytest.fail.Exception, BaseExceptionGroup)) as caught:
        test()
    failure = caught.value
    if isinstance(failure, BaseExceptionGroup):
        checks = failure.subgroup((AssertionError, pytest.fail.Exception))
        assert checks is not None, f"{test.__name__} crashed instead of failing a check"
        failure = checks.exceptions[0]
    assert str(failure), "a contract failure names the rule the store broke"


@pytest.mark.parametrize(
    ("store_class", "test_name"),
    [
        (ListFind, "test_find_streams_large_result_set"),
        (CaseInsensitiveOrder, "test_filters_on_sample_cases"),
        (ExclusiveRangeEnd, "test_filters_on_sample_cases"),
        (ExclusiveRangeEnd, "test_filters_match_reference"),
        (LastWriteWins, "test_stale_put_conflicts_and_writes_nothing"),
        (LastWriteWins, "test_state_machine"),
        (BumpsOnNoop, "test_put_twice_bumps_version_once"),
        (NotAtomicBatch, "test_put_many_is_all_or_nothing"),
        (IgnoresDeleteVersion, "test_delete_stale_version_conflicts"),
        (CommitsOnExit, "test_leaving_without_commit_rolls_back"),
        (CommitsOnExit, "test_state_machine"),
        (TruncatesText, "test_long_text"),
        (LeaksKeyError, "test_get_missing_raises_not_found"),
        (LeaksKeyError, "test_state_machine"),
        (WritableReadOnly, "test_readonly_store_refuses_writes"),
        (LeaksBackendError, "test_backend_failure_is_a_storage_error"),
        (AcceptsAnyValue, "test_values_no_store_can_hold_are_validation_errors"),
    ],
)
def test_contract_catches(store_class: type[MemoryStore], test_name: str) -> None:
    _fails(getattr(_contract(store_class), test_name))


def test_the_unbroken_store_passes_the_same_tests() -> None:
    contract = _contract(MemoryStore)
    contract.test_find_streams_large_result_set()
    contract.test_put_many_is_all_or_nothing()
    contract.test_readonly_store_refuses_writes()
    _contract(FailingBackend).test_backend_failure_is_a_storage_error()


def test_state_machine_catches_a_stale_delete() -> None:
    class Machine(StoreStateMachine):
        def make_store(self) -> Store:
            return IgnoresDeleteVersion()

    _fails(lambda: run_state_machine_as_test(Machine, settings=FIND_ONLY))


def test_contract_without_make_store_says_so() -> None:
    with pytest.raises(NotImplementedError, match="make_store"):
        StoreContract().make_store()


def test_readonly_tests_skip_without_a_readonly_store() -> None:
    class NoReadOnly(StoreContract):
        def make_store(self) -> Store:
            return MemoryStore()

    with pytest.raises(pytest.skip.Exception, match="make_readonly_store"):
        NoReadOnly().test_readonly_store_refuses_writes()


def test_transaction_tests_skip_when_not_supported() -> None:
    class NoTransactions(StoreContract):
        supports_transactions = False

        def make_store(self) -> Store:
            return MemoryStore()

    with pytest.raises(pytest.skip.Exception, match="no transactions"):
        NoTransactions().test_exception_rolls_back()
    # …and a store that declares transactions while the subclass says otherwise is caught
    _fails(NoTransactions().test_declared_capabilities)
