"""The CSV store passes the Store contract, in the plain and the Excel-friendly format."""

from __future__ import annotations

import errno
import itertools
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from kk_adapters.csv import folder as folder_module
from kk_core import Record, Store, open_store
from kk_core.testing.contract import StoreContract


def _disk_full(*_: Any, **__: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


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

    @contextmanager
    def failing_backend(self, store: Store) -> Iterator[None]:
        # the disk is full: no temporary file can be made in the folder
        full = types.SimpleNamespace(mkstemp=_disk_full)
        with mock.patch.object(folder_module, "tempfile", full):
            yield


class TestCsvStoreExcel(TestCsvStore):
    """The Excel-friendly format (``;`` and a BOM), durable (fsync) as in production."""

    large_result_size = 2_000
    max_examples = 15
    options = "excel=yes"
