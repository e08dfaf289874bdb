"""Layers of the SQL adapter (issue 4): SQLite and PostgreSQL against their raw drivers.

Every layer runs the library and the raw driver on the same tables (made by the store's
own schema), in the same process, alternating; "the same work" is checked on a sample
before anything is timed.

* ``sqlite.put`` — ``SqlStore.put_many(cases)`` (records → rows → committed, child
  tables included) against ``sqlite3.executemany`` of the same rows, prebuilt as tuples,
  in one transaction. Target ≥ 0.35.
* ``postgres.put`` — the same on PostgreSQL against psycopg ``executemany`` of the
  prebuilt rows. Target ≥ 0.50. ``postgres.put.copy``: against psycopg ``COPY`` of the
  prebuilt rows (no target; what the fastest load costs).
* ``sqlite.find`` / ``postgres.find`` — ``list(store.find(Case))`` against a raw fetch of
  ``data, version`` in id order plus records built by hand (`bench.handwritten`).
  Target ≥ 0.50.
* ``sqlite.count`` / ``postgres.count`` — ``store.count(Case, by=(village, month, sex,
  age band), period=2024)`` (one GROUP BY pushed down) against the same hand-written
  GROUP BY through the driver, building the same dict. Target ≥ 0.50 (within 2×).
* ``sqlite.find.stream`` / ``postgres.find.stream`` — consuming a find without keeping
  the records, against a raw cursor doing the same; the peak-memory columns show that
  neither grows with N.

PostgreSQL comes from ``KK_BENCH_POSTGRES_URL`` (or ``KK_TEST_POSTGRES_URL``); without
one a throwaway cluster is started (``tests/pg_server.py``) and shared with the probe
processes through ``KK_BENCH_POSTGRES_URL``. Databases of N cases for the read layers
are built once and kept (SQLite files under ``bench/results/.cache``, PostgreSQL schemas
``bench_cases_N``).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from bench.handwritten import case_from_dict
from bench.harness import ROOT, MinRatio, Side, ThroughputLayer, Trial
from bench.workload import iter_case_dicts
from kk_core.cases import Case
from kk_core.converter import structure
from kk_core.dimensions import Between

__all__ = ["LAYERS"]

PG_ENV = "KK_BENCH_POSTGRES_URL"
CACHE = ROOT / "bench" / "results" / ".cache"
COUNT_BY = ("village_id", "month", "sex", "age_band")
COUNT_PERIOD = Between(date(2024, 1, 1), date(2024, 12, 31))


def _records(n: int) -> list[Case]:
    return [structure(d, Case) for d in iter_case_dicts(n)]


def _iter_records(n: int) -> Iterator[Case]:
    for d in iter_case_dicts(n):
        yield structure(d, Case)


class _Rows:
    """The rows a put of these records writes (version 1), as the raw sides get them."""

    def __init__(self, records: list[Case]) -> None:
        from kk_adapters.sql.rows import RowCodec
        from kk_adapters.sql.schema import build_schema

        kind_table = build_schema().kinds["case"]
        codec = RowCodec(kind_table)
        self.columns = codec.columns
        self.main: list[tuple[Any, ...]] = []
        self.children: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] = [
            (child.table.name, child.columns, []) for child in kind_table.children
        ]
        for record in records:
            data, values, plain = codec.encode(record)
            self.main.append((record.id, 1, data, *values))
            for (_, _, rows), made in zip(
                self.children, codec.child_rows(record.id, plain), strict=True
            ):
                rows.extend(made)

    def tables(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
        return [("kk_case", self.columns, self.main), *self.children]


def _insert_sql(table: str, columns: tuple[str, ...], mark: str) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join([mark] * len(columns))})'


def _hand_built(text: str, version: int) -> Case:
    data = json.loads(text)
    data["version"] = version
    return case_from_dict(data)


def _count_sql(mark: str) -> str:
    cols = ", ".join(COUNT_BY)
    return (
        f"SELECT {cols}, count(*) FROM kk_case WHERE reported_on >= {mark} "
        f"AND reported_on <= {mark} GROUP BY {cols}"
    )


def _check_same(lib: Any, raw: Any, what: str) -> None:
    if lib != raw:
        raise AssertionError(f"{what}: the library and the raw baseline disagree")


# --------------------------------------------------------------------------- SQLite


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fresh_sqlite(path: Path) -> None:
    """An empty database with the store's schema (made by opening a store)."""
    from kk_core import open_store

    _remove_db(path)
    open_store(_sqlite_url(path)).close()


def _raw_sqlite(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _sqlite_insert_all(conn: sqlite3.Connection, rows: _Rows) -> None:
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    for table, columns, data in rows.tables():
        cur.executemany(_insert_sql(table, columns, "?"), data)
    cur.execute("COMMIT")


def _workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="kk-bench-sql-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def _closer(*things: Any) -> Callable[[], None]:
    def close() -> None:
        for thing in things:
            thing.close()

    return close


def _table_dump(path: Path) -> list[Any]:
    conn = sqlite3.connect(path)
    try:
        dump = []
        for table in ("kk_case", "kk_case_event", "kk_case_violence_form"):
            dump += conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        return dump
    finally:
        conn.close()


def _prepare_sqlite_put(n: int) -> Trial:
    from kk_core import open_store

    records = _records(n)
    rows = _Rows(records)
    work = _workdir()
    raw_path, lib_path = work / "raw.db", work / "lib.db"
    held: dict[str, Any] = {}

    # the same work: the first records written both ways give identical tables
    sample = records[:200]
    _fresh_sqlite(raw_path)
    conn = _raw_sqlite(raw_path)
    _sqlite_insert_all(conn, _Rows(sample))
    conn.close()
    _fresh_sqlite(lib_path)
    with open_store(_sqlite_url(lib_path)) as store:  # type: ignore[attr-defined]
        store.put_many(sample)
    _check_same(_table_dump(lib_path), _table_dump(raw_path), "sqlite.put tables")

    def reset_raw() -> None:
        _close(held)
        _fresh_sqlite(raw_path)
        held["raw"] = _raw_sqlite(raw_path)

    def reset_lib() -> None:
        _close(held)
        _remove_db(lib_path)
        held["lib"] = open_store(_sqlite_url(lib_path))

    def close() -> None:
        _close(held)
        _remove_db(raw_path)
        _remove_db(lib_path)

    return Trial(
        n,
        raw=Side(lambda: _sqlite_insert_all(held["raw"], rows), reset_raw),
        lib=Side(lambda: held["lib"].put_many(records), reset_lib),
        close=close,
    )


def _close(held: dict[str, Any]) -> None:
    for key in list(held):
        held.pop(key).close()


def _fingerprint() -> str:
    """What a kept database depends on: the tables and columns of the schema this
    library writes, and the workload's source. A change to either builds a new one."""
    from kk_adapters.sql.schema import build_schema

    tables = build_schema().metadata.sorted_tables
    shape = [(t.name, [(c.name, str(c.type)) for c in t.columns]) for t in tables]
    workload = (Path(__file__).parent / "workload.py").read_bytes()
    return hashlib.sha256(repr(shape).encode() + workload).hexdigest()[:10]


def _sqlite_cases(n: int) -> Path:
    """A database of the first ``n`` workload cases, built once and kept."""
    from kk_core import open_store

    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(f"sqlite-cases-{n}-*.db"):
        if stale.name != f"sqlite-cases-{n}-{_fingerprint()}.db":
            _remove_db(stale)
    path = CACHE / f"sqlite-cases-{n}-{_fingerprint()}.db"
    if path.exists():
        conn = sqlite3.connect(path)
        try:
            if conn.execute("SELECT count(*) FROM kk_case").fetchone()[0] == n:
                return path
        except sqlite3.Error:
            pass
        finally:
            conn.close()
    _remove_db(path)
    with open_store(_sqlite_url(path)) as store:  # type: ignore[attr-defined]
        batch: list[Case] = []
        for record in _iter_records(n):
            batch.append(record)
            if len(batch) == 50_000:
                store.put_many(batch)
                batch = []
        store.put_many(batch)
    return path


def _prepare_sqlite_find(n: int) -> Trial:
    from kk_core import open_store

    path = _sqlite_cases(n)
    store = open_store(_sqlite_url(path))
    conn = _raw_sqlite(path)

    def raw() -> list[Case]:
        rows = conn.execute("SELECT data, version FROM kk_case ORDER BY id")
        return [_hand_built(text, version) for text, version in rows]

    def lib() -> list[Case]:
        return list(store.find(Case))

    first = conn.execute("SELECT data, version FROM kk_case ORDER BY id LIMIT 1").fetchone()
    _check_same(next(store.find(Case)), _hand_built(*first), "sqlite.find")
    return Trial(n, raw=Side(raw), lib=Side(lib), close=_closer(store, conn))


def _prepare_sqlite_stream(n: int) -> Trial:
    from kk_core import open_store

    path = _sqlite_cases(n)
    store = open_store(_sqlite_url(path))
    conn = _raw_sqlite(path)

    def raw() -> int:
        cursor = conn.execute("SELECT data, version FROM kk_case ORDER BY id")
        seen = 0
        while page := cursor.fetchmany(1000):
            for text, version in page:
                _hand_built(text, version)
                seen += 1
        return seen

    def lib() -> int:
        return sum(1 for _ in store.find(Case))

    return Trial(n, raw=Side(raw), lib=Side(lib), close=_closer(store, conn))


def _raw_counts(rows: Any) -> dict[tuple[Any, ...], int]:
    return {tuple(row[:-1]): row[-1] for row in rows}


def _prepare_sqlite_count(n: int) -> Trial:
    from kk_core import open_store

    path = _sqlite_cases(n)
    store = open_store(_sqlite_url(path))
    conn = _raw_sqlite(path)
    sql = _count_sql("?")
    bounds = (COUNT_PERIOD.start.isoformat(), COUNT_PERIOD.end.isoformat())

    def raw() -> dict[tuple[Any, ...], int]:
        return _raw_counts(conn.execute(sql, bounds))

    def lib() -> dict[tuple[Any, ...], int]:
        return store.count(Case, by=COUNT_BY, period=COUNT_PERIOD)

    _check_same(lib(), raw(), "sqlite.count")
    return Trial(n, raw=Side(raw), lib=Side(lib), close=_closer(store, conn))


# ----------------------------------------------------------------------- PostgreSQL

_pg_state: dict[str, Any] = {}


def _pg_url() -> str:
    """A PostgreSQL URL: given, or a throwaway cluster started (once) for this run."""
    url = os.environ.get(PG_ENV) or os.environ.get("KK_TEST_POSTGRES_URL")
    if url:
        return url
    if "error" in _pg_state:
        raise RuntimeError(_pg_state["error"])
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from pg_server import TemporaryPostgres

        server = TemporaryPostgres().start()
    except Exception as exc:
        _pg_state["error"] = f"no PostgreSQL server: {exc}"
        raise RuntimeError(_pg_state["error"]) from None
    finally:
        sys.path.remove(str(ROOT / "tests"))
    atexit.register(server.stop)
    os.environ[PG_ENV] = server.url  # the probe processes use the same server
    return server.url


def _pg_unavailable() -> str | None:
    try:
        import psycopg  # noqa: F401

        _pg_url()
    except Exception as exc:
        return str(exc)
    return None


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_store_url(schema: str) -> str:
    url = _pg_url()
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def _pg_connect(schema: str) -> Any:
    import psycopg

    return psycopg.connect(_libpq(_pg_url()), options=f"-c search_path={schema}")


def _pg_truncate(schema: str) -> None:
    with _pg_connect(schema) as conn:
        conn.execute("TRUNCATE kk_case CASCADE")


def _pg_insert_all(conn: Any, rows: _Rows, copy: bool) -> None:
    with conn.cursor() as cur:
        for table, columns, data in rows.tables():
            if copy:
                cols = ", ".join(f'"{c}"' for c in columns)
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as stream:
                    for row in data:
                        stream.write_row(row)
            else:
                cur.executemany(_insert_sql(table, columns, "%s"), data)
    conn.commit()


def _pg_dump(schema: str) -> list[Any]:
    with _pg_connect(schema) as conn:
        dump = []
        for table in ("kk_case", "kk_case_event", "kk_case_violence_form"):
            dump += conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        return dump


def _prepare_pg_put(copy: bool) -> Callable[[int], Trial]:
    def prepare(n: int) -> Trial:
        from kk_core import open_store

        records = _records(n)
        rows = _Rows(records)
        raw_schema, lib_schema = "bench_put_raw", "bench_put_lib"
        for schema in (raw_schema, lib_schema):
            open_store(_pg_store_url(schema)).close()  # creates the tables
            _pg_truncate(schema)
        store = open_store(_pg_store_url(lib_schema))
        conn = _pg_connect(raw_schema)
        sample = records[:200]
        _pg_insert_all(conn, _Rows(sample), copy)
        store.put_many(sample)
        _check_same(_pg_dump(lib_schema), _pg_dump(raw_schema), "postgres.put tables")

        def close() -> None:
            store.close()
            conn.close()

        return Trial(
            n,
            raw=Side(lambda: _pg_insert_all(conn, rows, copy), lambda: _pg_truncate(raw_schema)),
            lib=Side(lambda: store.put_many(records), lambda: _pg_truncate(lib_schema)),
            close=close,
        )

    return prepare


def _pg_cases(n: int) -> str:
    """A schema holding the first ``n`` workload cases, built once per server."""
    import psycopg

    from kk_core import open_store

    schema = f"bench_cases_{n}_{_fingerprint()}"
    with open_store(_pg_store_url(schema)) as store:  # type: ignore[attr-defined]
        if store.count(Case) == {(): n}:
            return schema
        with _pg_connect(schema) as conn:
            conn.execute("TRUNCATE kk_case CASCADE")
        batch: list[Case] = []
        for record in _iter_records(n):
            batch.append(record)
            if len(batch) == 50_000:
                store.put_many(batch)
                batch = []
        store.put_many(batch)
    with psycopg.connect(_libpq(_pg_url()), autocommit=True) as conn:
        conn.execute(f"VACUUM ANALYZE {schema}.kk_case")
    return schema


def _prepare_pg_find(n: int) -> Trial:
    from kk_core import open_store

    schema = _pg_cases(n)
    store = open_store(_pg_store_url(schema))
    conn = _pg_connect(schema)

    def raw() -> list[Case]:
        with conn.cursor() as cur:
            cur.execute("SELECT data, version FROM kk_case ORDER BY id")
            found = [_hand_built(text, version) for text, version in cur]
        conn.rollback()
        return found

    def lib() -> list[Case]:
        return list(store.find(Case))

    with conn.cursor() as cur:
        first = cur.execute("SELECT data, version FROM kk_case ORDER BY id LIMIT 1").fetchone()
    conn.rollback()
    _check_same(next(store.find(Case)), _hand_built(*first), "postgres.find")
    return Trial(n, raw=Side(raw), lib=Side(lib), close=_closer(store, conn))


def _prepare_pg_stream(n: int) -> Trial:
    from kk_core import open_store

    schema = _pg_cases(n)
    store = open_store(_pg_store_url(schema))
    conn = _pg_connect(schema)

    def raw() -> int:
        seen = 0
        with conn.cursor(name="kk_bench_stream") as cur:  # server-side, like the store
            cur.itersize = 1000
            cur.execute("SELECT data, version FROM kk_case ORDER BY id")
            for text, version in cur:
                _hand_built(text, version)
                seen += 1
        conn.rollback()
        return seen

    def lib() -> int:
        return sum(1 for _ in store.find(Case))

    return Trial(n, raw=Side(raw), lib=Side(lib), close=_closer(store, conn))


def _prepare_pg_count(n: int) -> Trial:
    from kk_core import open_store

    schema = _pg_cases(n)
    store = open_store(_pg_store_url(schema))
    conn = _pg_connect(schema)
    sql = _count_sql("%s")
    bounds = (COUNT_PERIOD.start, COUNT_PERIOD.end)

    def raw() -> dict[tuple[Any, ...], int]:
        with conn.cursor() as cur:
            counts = _raw_counts(cur.execute(sql, bounds))
        conn.rollback()
        return counts

    def lib() -> dict[tuple[Any, ...], int]:
        return store.count(Case, by=COUNT_BY, period=COUNT_PERIOD)

    _check_same(lib(), raw(), "postgres.count")
    return Trial(n, raw=Side(raw), lib=Side(lib), close=_closer(store, conn))


LAYERS = [
    ThroughputLayer(
        name="sqlite.put",
        group="sql",
        raw_label="sqlite3.executemany of prebuilt row tuples",
        lib_label="SqlStore.put_many (SQLite)",
        prepare=_prepare_sqlite_put,
        target=MinRatio(0.35),
    ),
    ThroughputLayer(
        name="sqlite.find",
        group="sql",
        raw_label="sqlite3 fetch + hand-built records",
        lib_label="list(SqlStore.find(Case)) (SQLite)",
        prepare=_prepare_sqlite_find,
        target=MinRatio(0.50),
    ),
    ThroughputLayer(
        name="sqlite.count",
        group="sql",
        raw_label="hand-written GROUP BY (sqlite3)",
        lib_label="SqlStore.count(by=4 dims, period) (SQLite)",
        prepare=_prepare_sqlite_count,
        target=MinRatio(0.50),
    ),
    ThroughputLayer(
        name="sqlite.find.stream",
        group="sql",
        raw_label="sqlite3 cursor pages + hand-built records, not kept",
        lib_label="consume SqlStore.find(Case) (SQLite)",
        prepare=_prepare_sqlite_stream,
    ),
    ThroughputLayer(
        name="postgres.put",
        group="sql",
        raw_label="psycopg executemany of prebuilt row tuples",
        lib_label="SqlStore.put_many (PostgreSQL)",
        prepare=_prepare_pg_put(copy=False),
        target=MinRatio(0.50),
        unavailable=_pg_unavailable,
    ),
    ThroughputLayer(
        name="postgres.put.copy",
        group="sql",
        raw_label="psycopg COPY of prebuilt row tuples",
        lib_label="SqlStore.put_many (PostgreSQL)",
        prepare=_prepare_pg_put(copy=True),
        unavailable=_pg_unavailable,
    ),
    ThroughputLayer(
        name="postgres.find",
        group="sql",
        raw_label="psycopg fetch + hand-built records",
        lib_label="list(SqlStore.find(Case)) (PostgreSQL)",
        prepare=_prepare_pg_find,
        target=MinRatio(0.50),
        unavailable=_pg_unavailable,
    ),
    ThroughputLayer(
        name="postgres.count",
        group="sql",
        raw_label="hand-written GROUP BY (psycopg)",
        lib_label="SqlStore.count(by=4 dims, period) (PostgreSQL)",
        prepare=_prepare_pg_count,
        target=MinRatio(0.50),
        unavailable=_pg_unavailable,
    ),
    ThroughputLayer(
        name="postgres.find.stream",
        group="sql",
        raw_label="psycopg server-side cursor + hand-built records, not kept",
        lib_label="consume SqlStore.find(Case) (PostgreSQL)",
        prepare=_prepare_pg_stream,
        unavailable=_pg_unavailable,
    ),
]
