"""Layers of `kk_core.copy_records` between the SQL stores (issue 7, item 12).

Each layer copies N cases from a source database into an empty target with the same
schema, both ways in the same run, alternating whole runs:

* **lib** — ``copy_records(source, target, kinds="case")``: pages of
  `kk_core.copying.PAGE_SIZE` cases read with ``source.find`` (rows → records), the
  target's copies of each page's ids looked up with one ``find``, each page written
  with one ``put_many`` (records → rows, ``executemany`` on SQLite, ``COPY`` on
  PostgreSQL), one transaction per page;
* **raw** — the rows of the source's tables (``kk_case`` with every column, and its
  child tables ``kk_case_event`` and ``kk_case_violence_form``) read with the raw
  driver in id order, a page at a time, and written into the target's tables with the
  raw driver: ``sqlite3.executemany`` into SQLite, psycopg ``COPY`` into PostgreSQL,
  in one transaction. No records are made, nothing is looked up, nothing is checked.

Layers: ``copy.sqlite-sqlite`` and ``copy.sqlite-postgres``. Before timing, both sides
copy a 200-case source and the targets' tables are checked equal. Target ≥ 0.30 of raw
(see bench/README.md for why).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.harness import MinRatio, Side, ThroughputLayer, Trial
from bench.layers_sql import (
    _check_same,
    _close,
    _fresh_sqlite,
    _pg_connect,
    _pg_dump,
    _pg_store_url,
    _pg_truncate,
    _pg_unavailable,
    _raw_sqlite,
    _remove_db,
    _sqlite_cases,
    _sqlite_url,
    _table_dump,
    _workdir,
)

__all__ = ["LAYERS"]

#: Rows per page the raw side reads and writes (the library reads pages of its own).
RAW_PAGE = 1000
SAMPLE = 200


def _case_tables() -> list[tuple[str, tuple[str, ...], str]]:
    """(table, columns, order) of the case tables, as the store's schema makes them."""
    from kk_adapters.sql.rows import RowCodec
    from kk_adapters.sql.schema import build_schema

    kind_table = build_schema().kinds["case"]
    tables = [(kind_table.table.name, tuple(RowCodec(kind_table).columns), "id")]
    for child in kind_table.children:
        keys = ", ".join(c.name for c in child.table.primary_key.columns)
        tables.append((child.table.name, tuple(child.columns), keys))
    return tables


def _quoted(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _read_pages(
    source: sqlite3.Connection, table: str, columns: tuple[str, ...], order: str
) -> Iterator[list[Any]]:
    cursor = source.execute(f'SELECT {_quoted(columns)} FROM "{table}" ORDER BY {order}')
    try:
        while page := cursor.fetchmany(RAW_PAGE):
            yield page
    finally:
        cursor.close()


def _raw_sqlite_to_sqlite(source: Path, target: sqlite3.Connection) -> None:
    reader = _raw_sqlite(source)
    try:
        cur = target.cursor()
        cur.execute("BEGIN IMMEDIATE")
        for table, columns, order in _case_tables():
            marks = ", ".join("?" * len(columns))
            insert = f'INSERT INTO "{table}" ({_quoted(columns)}) VALUES ({marks})'
            for page in _read_pages(reader, table, columns, order):
                cur.executemany(insert, page)
        cur.execute("COMMIT")
    finally:
        reader.close()


def _raw_sqlite_to_postgres(source: Path, target: Any) -> None:
    reader = _raw_sqlite(source)
    try:
        with target.cursor() as cur:
            for table, columns, order in _case_tables():
                with cur.copy(f'COPY "{table}" ({_quoted(columns)}) FROM STDIN') as stream:
                    write = stream.write_row
                    for page in _read_pages(reader, table, columns, order):
                        for row in page:
                            write(row)
        target.commit()
    finally:
        reader.close()


def _copy(source: Any, target: Any) -> Any:
    from kk_core import copy_records

    report = copy_records(source, target, kinds="case")
    return report


def _prepare_sqlite_sqlite(n: int) -> Trial:
    from kk_core import open_store

    work = _workdir()
    raw_path, lib_path = work / "raw.db", work / "lib.db"
    held: dict[str, Any] = {}

    # the same work: a small source copied both ways gives identical tables
    sample = _sqlite_cases(SAMPLE)
    _fresh_sqlite(raw_path)
    conn = _raw_sqlite(raw_path)
    _raw_sqlite_to_sqlite(sample, conn)
    conn.close()
    _fresh_sqlite(lib_path)
    with open_store(_sqlite_url(sample)) as src, open_store(_sqlite_url(lib_path)) as dst:  # type: ignore[attr-defined]
        report = _copy(src, dst)
    _check_same(report.written, {"case": SAMPLE}, "copy.sqlite-sqlite report")
    _check_same(_table_dump(lib_path), _table_dump(raw_path), "copy.sqlite-sqlite tables")

    path = _sqlite_cases(n)
    source = open_store(_sqlite_url(path))

    def reset_raw() -> None:
        _close(held)
        _fresh_sqlite(raw_path)
        held["raw"] = _raw_sqlite(raw_path)

    def reset_lib() -> None:
        _close(held)
        _fresh_sqlite(lib_path)
        held["lib"] = open_store(_sqlite_url(lib_path))

    def close() -> None:
        _close(held)
        source.close()
        _remove_db(raw_path)
        _remove_db(lib_path)

    return Trial(
        n,
        raw=Side(lambda: _raw_sqlite_to_sqlite(path, held["raw"]), reset_raw),
        lib=Side(lambda: _copy(source, held["lib"]), reset_lib),
        close=close,
    )


def _prepare_sqlite_postgres(n: int) -> Trial:
    from kk_core import open_store

    raw_schema, lib_schema = "bench_copy_raw", "bench_copy_lib"
    for schema in (raw_schema, lib_schema):
        open_store(_pg_store_url(schema)).close()  # creates the tables
        _pg_truncate(schema)
    target = open_store(_pg_store_url(lib_schema))
    conn = _pg_connect(raw_schema)

    sample = _sqlite_cases(SAMPLE)
    _raw_sqlite_to_postgres(sample, conn)
    with open_store(_sqlite_url(sample)) as src:  # type: ignore[attr-defined]
        report = _copy(src, target)
    _check_same(report.written, {"case": SAMPLE}, "copy.sqlite-postgres report")
    _check_same(_pg_dump(lib_schema), _pg_dump(raw_schema), "copy.sqlite-postgres tables")

    path = _sqlite_cases(n)
    source = open_store(_sqlite_url(path))

    def close() -> None:
        source.close()
        target.close()
        conn.close()

    return Trial(
        n,
        raw=Side(lambda: _raw_sqlite_to_postgres(path, conn), lambda: _pg_truncate(raw_schema)),
        lib=Side(lambda: _copy(source, target), lambda: _pg_truncate(lib_schema)),
        close=close,
    )


LAYERS = [
    ThroughputLayer(
        name="copy.sqlite-sqlite",
        group="copy",
        raw_label="sqlite3 read pages + sqlite3.executemany, same tables and columns",
        lib_label='copy_records(SQLite, SQLite, kinds="case")',
        prepare=_prepare_sqlite_sqlite,
        target=MinRatio(0.30),
    ),
    ThroughputLayer(
        name="copy.sqlite-postgres",
        group="copy",
        raw_label="sqlite3 read pages + psycopg COPY, same tables and columns",
        lib_label='copy_records(SQLite, PostgreSQL, kinds="case")',
        prepare=_prepare_sqlite_postgres,
        target=MinRatio(0.30),
        unavailable=_pg_unavailable,
    ),
]
