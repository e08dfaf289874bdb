"""The CSV store passes the Store contract, in the plain and the Excel-friendly format."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from csv_support import disk_full_after
from kk_core import Record, Store, open_store
from kk_core.testing.contract import StoreContract


class TestCsvStore(StoreContract):
    large_result_size = 5_000
    streaming_peak_bytes = 4_000_000
    options = "durable=no"

    @pytest.fixture(autouse=True)
    def _folders(self, tmp_path: Path) -> None:
        self.base = tmp_path
        self.made = itertools.count()

    def url(self, name: str) -> str:
        return f"csv://{(self.base / name).as_posix()}?{self.options}"

    def make_store(self) -> Store:
        return open_store(self.url(f"store-{next(self.made)}"))

    def make_readonly_store(self, records: Sequence[Record]) -> Store:
        name = f"readonly-{next(self.made)}"
        writer = open_store(self.url(name))
        try:
            writer.put_many(records)
        finally:
            writer.close()
        return open_store(self.url(name) + "&read_only=yes")

    def failing_backend(self, store: Store) -> AbstractContextManager[None]:
        # the disk fills up part of the way through writing the new files
        return disk_full_after(300)


class TestCsvStoreExcel(TestCsvStore):
    """The Excel-friendly format (``;`` and a BOM), durable (fsync) as in production."""

    large_result_size = 2_000
    max_examples = 15
    options = "excel=yes"
