"""CSV files that partners open in Excel or LibreOffice, as a store and as imports.

* `kk_adapters.csv.store` — the store, ``csv:///path/to/folder``: one file per record
  kind plus child tables for repeated parts (`kk_adapters.csv.schema`), atomic writes,
  one writer at a time, streamed reads.
* `kk_adapters.csv.imports` — batch reads into any store: a folder in the library's
  layout (`import_csv`), or a partner's own sheet, CSV or ``.xlsx``, through a
  declarative mapping (`import_spreadsheet`, `kk_adapters.csv.mapping`), with the rows
  that do not read kept in a rejects report.
* `kk_adapters.csv.cells` — how each value is written and what is read (Indonesian
  dates, labels for codes, formula-injection escaping).

The names below are imported from those modules when first used, so that loading the
plugin (`kk_adapters.csv.plugin`) costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kk_adapters.csv.imports import import_csv, import_spreadsheet, read_folder, write_rejects
    from kk_adapters.csv.mapping import (
        SpreadsheetMapping,
        load_mapping,
        parse_mapping,
        read_spreadsheet,
    )
    from kk_adapters.csv.store import CsvStore, open_csv_store

__all__ = [
    "CsvStore",
    "SpreadsheetMapping",
    "import_csv",
    "import_spreadsheet",
    "load_mapping",
    "open_csv_store",
    "parse_mapping",
    "read_folder",
    "read_spreadsheet",
    "write_rejects",
]

_HOMES = {
    "CsvStore": "store",
    "open_csv_store": "store",
    "import_csv": "imports",
    "import_spreadsheet": "imports",
    "read_folder": "imports",
    "write_rejects": "imports",
    "SpreadsheetMapping": "mapping",
    "load_mapping": "mapping",
    "parse_mapping": "mapping",
    "read_spreadsheet": "mapping",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kk_adapters.csv' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kk_adapters.csv.{home}"), name)
