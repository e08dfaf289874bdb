"""The memory store, the reference adapter, passes the Store contract like any adapter would."""

from __future__ import annotations

from collections.abc import Sequence

from kk_adapters.memory import MemoryStore
from kk_core import Record, Store, open_store
from kk_core.testing.contract import StoreContract, StoreStateMachine


class TestMemoryStore(StoreContract):
    def make_store(self) -> Store:
        return MemoryStore()

    def make_readonly_store(self, records: Sequence[Record]) -> Store:
        return MemoryStore(read_only=True, records=records)


# The model check alone, as an adapter author's unittest TestCase, on stores opened by
# URL through the ``kk`` entry point (the path third-party adapters take).
TestMemoryStoreMachine = StoreStateMachine.testcase(lambda: open_store("memory://"))
