"""CSV files that partners open in Excel or LibreOffice, as a store and as imports.

* `kk_adapters.csv.store` — the store, ``csv:///path/to/folder``: one file per record
  kind plus child tables for repeated parts (`kk_adapters.csv.schema`), atomic writes,
  one writer at a time, streamed reads.
* `kk_adapters.csv.imports` — batch reads: a folder in the library's layout, or a
  partner's own spreadsheet through a declarative mapping (`kk_adapters.csv.mapping`),
  into any store, with the rows that do not read kept in a rejects report.
* `kk_adapters.csv.cells` — how each value is written and what is read (Indonesian
  dates, labels for codes, formula-injection escaping).
"""

from __future__ import annotations

__all__: list[str] = []
