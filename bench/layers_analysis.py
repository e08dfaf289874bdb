"""Layers of the analysis (issue 10), each against raw code doing the same work in the
same run.

* ``analysis.indicator.sqlite`` / ``.postgres`` — the counts of the cases by category ×
  hamlet × month indicator over N cases through `kk_core.analysis.aggregate` (pushed
  down: one ``GROUP BY``) against the same hand-written ``GROUP BY`` through the raw
  driver, building the same dict. Target: within 1.5× (lib/raw ≥ 0.67).
* ``analysis.median.sqlite`` / ``.postgres`` — the median days from sent to completed of
  N referrals by service, pushed down (SQLite: a window query reading two rows per group;
  PostgreSQL: ``percentile_cont``), against hand-written SQL computing the same medians
  in the database. Target: within 2× (lib/raw ≥ 0.50).
* ``analysis.memory`` — the same indicator's counts on the memory store
  (`kk_core.dimensions.count_by` over the records) against a hand-written
  ``collections.Counter`` loop over the same records. Target: within 3× (≥ 0.33).
* ``analysis.suppress`` — suppression of ten 50 × 20 tables of village-like counts (the
  "records" of this layer are tables, ten whatever N) against the hand-written
  row-and-column heuristic (which protects against subtraction only). Target: each
  table under a second; the ratio shows what the proven protection costs over the
  heuristic.

Databases of N cases are the SQL layers' (`bench.layers_sql`); those of N referrals
are built once and kept the same way (``bench/results/.cache``, schemas
``bench_referrals_N``).
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.harness import MaxSeconds, MinRatio, Side, ThroughputLayer, Trial
from bench.layers_sql import (
    CACHE,
    _closer,
    _fingerprint,
    _pg_connect,
    _pg_store_url,
    _pg_unavailable,
    _pg_url,
    _raw_sqlite,
    _remove_db,
    _sqlite_cases,
    _sqlite_url,
)
from kk_core.analysis.measures import Count, Days, aggregate
from kk_core.analysis.suppression import suppress_cube
from kk_core.cases import Case
from kk_core.codes import ReferralStatus
from kk_core.referrals import Referral

__all__ = ["LAYERS"]

BY = ("category", "hamlet_id", "month")
SERVICES = ("uptd_ppa", "puskesmas", "dinas_sosial", "kua", "dukcapil", "police_ppa")


def _raw_indicator(rows: Any) -> dict[tuple[Any, ...], tuple[int]]:
    return {(row[0], row[1], row[2]): (row[3],) for row in rows}


_INDICATOR_SQL = (
    "SELECT category, hamlet_id, month, count(*) FROM kk_case GROUP BY category, hamlet_id, month"
)


def _same(lib: Any, raw: Any, what: str) -> None:
    if lib != raw:
        raise AssertionError(f"{what}: the library and the raw baseline disagree")


def _lib_indicator(store: Any) -> Any:
    return aggregate(store, Case, BY, (Count(),))


# -- cases beyond 100k: the 100k workload cases, repeated under new ids -------------------

BASE = 100_000


def _copies(n: int) -> list[tuple[int, int]]:
    """(copy number, how many base rows) that make ``n`` rows: copy 0 is the base."""
    out, k = [], 0
    while n > 0:
        out.append((k, min(BASE, n)))
        n -= BASE
        k += 1
    return out


def _case_columns(names: list[str], k: int) -> str:
    return ", ".join(f"id || '.{k}'" if c == "id" else c for c in names)


def _sqlite_many_cases(n: int) -> Path:
    """Above 100k cases, a database whose ``kk_case`` holds the 100k workload cases
    ``n`` / 100k times over under new ids (the grouping columns keep their spread, the
    counts grow): built in SQL in minutes, where the store takes most of an hour at 1M
    on a loaded 2-core machine. Both sides read this same table; child tables are
    left empty (neither side reads them)."""
    if n <= BASE:
        return _sqlite_cases(n)
    from kk_core import open_store

    path = CACHE / f"sqlite-analysis-cases-{n}-{_fingerprint()}.db"
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
    base = _sqlite_cases(BASE)
    open_store(_sqlite_url(path)).close()  # the schema, made by the store
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("ATTACH DATABASE ? AS base", (str(base),))
        names = [row[1] for row in conn.execute("PRAGMA base.table_info(kk_case)")]
        conn.execute("BEGIN")
        for k, rows in _copies(n):
            conn.execute(
                f"INSERT INTO main.kk_case ({', '.join(names)}) "
                f"SELECT {_case_columns(names, k)} FROM base.kk_case ORDER BY id LIMIT {rows}"
            )
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE base")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return path


def _pg_many_cases(n: int) -> str:
    """The same for PostgreSQL: a schema filled from the 100k workload cases' schema."""
    from bench.layers_sql import _pg_cases
    from kk_core import open_store

    if n <= BASE:
        return _pg_cases(n)
    schema = f"bench_analysis_cases_{n}_{_fingerprint()}"
    with open_store(_pg_store_url(schema)) as store:  # type: ignore[attr-defined]
        if store.count(Case) == {(): n}:
            return schema
    base = _pg_cases(BASE)
    import psycopg

    with psycopg.connect(_pg_url().replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = 'kk_case' ORDER BY ordinal_position",
                (base,),
            )
        ]
        conn.execute(f"TRUNCATE {schema}.kk_case CASCADE")
        for k, rows in _copies(n):
            conn.execute(
                f"INSERT INTO {schema}.kk_case ({', '.join(names)}) "
                f"SELECT {_case_columns(names, k)} FROM {base}.kk_case ORDER BY id LIMIT {rows}"
            )
        conn.commit()
    with psycopg.connect(
        _pg_url().replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute(f"VACUUM ANALYZE {schema}.kk_case")
    return schema


def _prepare_sqlite_indicator(n: int) -> Trial:
    from kk_core import open_store

    path = _sqlite_many_cases(n)
    store = open_store(_sqlite_url(path))
    conn = _raw_sqlite(path)

    def raw() -> Any:
        return _raw_indicator(conn.execute(_INDICATOR_SQL))

    _same(_lib_indicator(store), raw(), "analysis.indicator.sqlite")
    return Trial(
        n, raw=Side(raw), lib=Side(lambda: _lib_indicator(store)), close=_closer(store, conn)
    )


def _prepare_pg_indicator(n: int) -> Trial:
    from kk_core import open_store

    schema = _pg_many_cases(n)
    store = open_store(_pg_store_url(schema))
    conn = _pg_connect(schema)

    def raw() -> Any:
        with conn.cursor() as cur:
            found = _raw_indicator(cur.execute(_INDICATOR_SQL))
        conn.rollback()
        return found

    _same(_lib_indicator(store), raw(), "analysis.indicator.postgres")
    return Trial(
        n, raw=Side(raw), lib=Side(lambda: _lib_indicator(store)), close=_closer(store, conn)
    )


# -- referrals with both dates, for the median ------------------------------------------------


def _referrals(lo: int, hi: int) -> list[Referral]:
    """Referrals number ``lo`` to ``hi`` - 1 (the same whatever the batches)."""
    made = []
    start = date(2024, 1, 1).toordinal()
    for i in range(lo, hi):
        rng = random.Random(i)
        sent = date.fromordinal(start + i % 700)
        responded = sent + timedelta(days=rng.randint(0, 14))
        made.append(
            Referral(
                f"r{i:08d}",
                f"c{i:08d}",
                f"p{i % 40:02d}",
                "dirujuk",
                sent,
                consent_given=True,
                service=SERVICES[i % len(SERVICES)],
                status=ReferralStatus.COMPLETED,
                responded_on=responded,
                completed_on=responded + timedelta(days=rng.randint(1, 60)),
                outcome="selesai",
            )
        )
    return made


def _fill(store: Any, n: int) -> None:
    for lo in range(0, n, 50_000):
        store.put_many(_referrals(lo, min(n, lo + 50_000)))


def _sqlite_referrals(n: int) -> Path:
    from kk_core import open_store

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"sqlite-referrals-{n}-{_fingerprint()}.db"
    if path.exists():
        conn = sqlite3.connect(path)
        try:
            if conn.execute("SELECT count(*) FROM kk_referral").fetchone()[0] == n:
                return path
        except sqlite3.Error:
            pass
        finally:
            conn.close()
    _remove_db(path)
    with open_store(_sqlite_url(path)) as store:  # type: ignore[attr-defined]
        _fill(store, n)
    return path


def _pg_referrals(n: int) -> str:
    from kk_core import open_store

    schema = f"bench_referrals_{n}_{_fingerprint()}"
    with open_store(_pg_store_url(schema)) as store:  # type: ignore[attr-defined]
        if store.count(Referral) == {(): n}:
            return schema
        with _pg_connect(schema) as conn:
            conn.execute("TRUNCATE kk_referral CASCADE")
        _fill(store, n)
    import psycopg

    with psycopg.connect(
        _pg_url().replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute(f"VACUUM ANALYZE {schema}.kk_referral")
    return schema


MEDIAN = (Days("sent_on", "completed_on"),)

_SQLITE_MEDIAN = """
WITH spans AS (
  SELECT core_service AS g, CAST(julianday(completed_on) - julianday(sent_on) AS INTEGER) AS d
  FROM kk_referral WHERE sent_on IS NOT NULL AND completed_on IS NOT NULL
), ranked AS (
  SELECT g, d, row_number() OVER (PARTITION BY g ORDER BY d) - 1 AS i,
         count(*) OVER (PARTITION BY g) AS n FROM spans
)
SELECT g, n, avg(d) FROM ranked
WHERE i IN ((n - 1) / 2, n / 2)
GROUP BY g, n
"""

_PG_MEDIAN = (
    "SELECT core_service, count(completed_on - sent_on), "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY completed_on - sent_on) "
    "FROM kk_referral GROUP BY core_service"
)


def _lib_median(store: Any) -> dict[Any, tuple[int, float]]:
    found = aggregate(store, Referral, ("core_service",), MEDIAN)
    return {key[0]: (v[0].n, v[0].median) for key, v in found.items()}


def _check_median(lib: dict[Any, tuple[int, float]], raw: dict[Any, tuple[int, float]]) -> None:
    if lib.keys() != raw.keys() or any(
        lib[k][0] != raw[k][0] or abs(lib[k][1] - raw[k][1]) > 1e-9 for k in lib
    ):
        raise AssertionError("analysis.median: the library and the raw baseline disagree")


def _prepare_sqlite_median(n: int) -> Trial:
    from kk_core import open_store

    path = _sqlite_referrals(n)
    store = open_store(_sqlite_url(path))
    conn = _raw_sqlite(path)

    def raw() -> dict[Any, tuple[int, float]]:
        return {g: (count, float(m)) for g, count, m in conn.execute(_SQLITE_MEDIAN)}

    _check_median(_lib_median(store), raw())
    return Trial(n, raw=Side(raw), lib=Side(lambda: _lib_median(store)), close=_closer(store, conn))


def _prepare_pg_median(n: int) -> Trial:
    from kk_core import open_store

    schema = _pg_referrals(n)
    store = open_store(_pg_store_url(schema))
    conn = _pg_connect(schema)

    def raw() -> dict[Any, tuple[int, float]]:
        with conn.cursor() as cur:
            found = {g: (count, float(m)) for g, count, m in cur.execute(_PG_MEDIAN)}
        conn.rollback()
        return found

    _check_median(_lib_median(store), raw())
    return Trial(n, raw=Side(raw), lib=Side(lambda: _lib_median(store)), close=_closer(store, conn))


# -- the memory store ----------------------------------------------------------------------


def _prepare_memory(n: int) -> Trial:
    from bench.layers_sql import _records
    from kk_adapters.memory import MemoryStore

    records = _records(n)
    store = MemoryStore(records=records)

    def raw() -> Counter[tuple[Any, ...]]:
        counts: Counter[tuple[Any, ...]] = Counter()
        for c in records:
            day = c.reported_on
            counts[(c.category.value, c.subject.hamlet_id, f"{day.year:04d}-{day.month:02d}")] += 1
        return counts

    def lib() -> Any:
        return _lib_indicator(store)

    _same({k: v[0] for k, v in lib().items()}, dict(raw()), "analysis.memory")
    return Trial(n, raw=Side(raw), lib=Side(lib))


# -- suppression ---------------------------------------------------------------------------

TABLES = 10


def _heuristic(inner: list[int], rows: int, cols: int) -> list[bool]:
    """What an analyst writes by hand (the issue's "heuristic that nobody has proved"):
    hide the cells of 1-4, then, while a row or a column has exactly one hidden cell,
    hide its smallest other non-zero cell too. It protects against subtraction from one
    total, not against linear bounds over all of them."""
    hidden = [1 <= v < 5 for v in inner]
    lines = [[r * cols + c for c in range(cols)] for r in range(rows)]
    lines += [[r * cols + c for r in range(rows)] for c in range(cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[i] for i in line) == 1:
                others = [i for i in line if not hidden[i] and inner[i] > 0]
                if others:
                    hidden[min(others, key=lambda i: inner[i])] = True
                    changed = True
    return hidden


def _prepare_suppress(n: int) -> Trial:
    rng = random.Random(50 * 20)
    tables = [
        [rng.choice((0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 30)) for _ in range(50 * 20)]
        for _ in range(TABLES)
    ]

    def raw() -> list[list[bool]]:
        return [_heuristic(inner, 50, 20) for inner in tables]

    def lib() -> list[Any]:
        return [suppress_cube((50, 20), inner) for inner in tables]

    return Trial(TABLES, raw=Side(raw), lib=Side(lib))


LAYERS = [
    ThroughputLayer(
        name="analysis.indicator.sqlite",
        group="analysis",
        raw_label="hand-written GROUP BY category, hamlet, month (sqlite3)",
        lib_label="aggregate(store, Case, category × hamlet × month) (SQLite)",
        prepare=_prepare_sqlite_indicator,
        target=MinRatio(0.67),
    ),
    ThroughputLayer(
        name="analysis.indicator.postgres",
        group="analysis",
        raw_label="hand-written GROUP BY category, hamlet, month (psycopg)",
        lib_label="aggregate(store, Case, category × hamlet × month) (PostgreSQL)",
        prepare=_prepare_pg_indicator,
        target=MinRatio(0.67),
        unavailable=_pg_unavailable,
    ),
    ThroughputLayer(
        name="analysis.median.sqlite",
        group="analysis",
        raw_label="hand-written window-function median by service (sqlite3)",
        lib_label="aggregate(store, Referral, Days median) (SQLite)",
        prepare=_prepare_sqlite_median,
        target=MinRatio(0.50),
    ),
    ThroughputLayer(
        name="analysis.median.postgres",
        group="analysis",
        raw_label="hand-written percentile_cont by service (psycopg)",
        lib_label="aggregate(store, Referral, Days median) (PostgreSQL)",
        prepare=_prepare_pg_median,
        target=MinRatio(0.50),
        unavailable=_pg_unavailable,
    ),
    ThroughputLayer(
        name="analysis.memory",
        group="analysis",
        raw_label="collections.Counter loop over the records",
        lib_label="aggregate(MemoryStore, Case, category × hamlet × month)",
        prepare=_prepare_memory,
        target=MinRatio(0.33),
    ),
    ThroughputLayer(
        name="analysis.suppress",
        group="analysis",
        raw_label="hand-written row/column heuristic, 10 tables",
        lib_label="suppress_cube of ten 50 × 20 tables (per table)",
        prepare=_prepare_suppress,
        target=MaxSeconds(1.0),
    ),
]
