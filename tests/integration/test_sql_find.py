"""``find`` on the SQL stores: paged by id, holding no connection between pages.

Each page is its own statement (keyset pagination), so an unfinished stream pins no
pooled connection; every id comes at most once, in id order (no snapshot across pages);
a damaged row is an error naming it, and the stream goes on after it.
"""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from kk_adapters.memory import MemoryStore
from kk_adapters.sql.session import PAGE, Finder
from kk_adapters.sql.store import SqlStore
from kk_core.cases import Case
from kk_core.dimensions import Between
from kk_core.errors import StorageError
from sql_support import StoreMaker, many_cases


def test_abandoned_streams_hold_no_connection(store_maker: StoreMaker) -> None:
    """Partly read and still referenced: twenty streams would exhaust a pool of 15."""
    store = store_maker.open(timeout=1)
    store.put_many(many_cases(2 * PAGE + 10))
    streams = [store.find(Case) for _ in range(20)]
    firsts = [next(s).id for s in streams]
    assert firsts == ["c0000000"] * 20
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert store.get(Case, "c0000005").id == "c0000005"
    assert store.count(Case) == {(): 2 * PAGE + 10}
    store.put(attrs.evolve(store.get(Case, "c0000001"), summary="still writable"))
    # and every stream still reads to its end
    assert sum(1 for _ in streams[3]) == 2 * PAGE + 9
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_streams_never_started_hold_nothing(store_maker: StoreMaker) -> None:
    store = store_maker.open(timeout=1)
    store.put_many(many_cases(5))
    streams = [store.find(Case, category="child_marriage") for _ in range(40)]
    assert store.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert store.get(Case, "c0000001").id == "c0000001"
    del streams
    gc.collect()


def test_each_id_at_most_once_in_id_order_while_others_write(store_maker: StoreMaker) -> None:
    """No snapshot across pages: records written during the stream are seen when their
    ids lie beyond what was read, and an id never comes twice, even when updated."""
    store = store_maker.open()
    store.put_many(many_cases(3 * PAGE, prefix="m"))
    stream = store.find(Case)
    seen = [next(stream).id for _ in range(PAGE + 5)]
    # update records already read and records not yet read; add some before and after
    for rid in (seen[0], seen[-1], f"m{2 * PAGE:07d}"):
        store.put(attrs.evolve(store.get(Case, rid), summary="updated meanwhile"))
    store.put_many(many_cases(3, prefix="a") + many_cases(3, prefix="z"))
    seen += [c.id for c in stream]
    assert seen == sorted(set(seen))  # id order, no id twice
    assert [rid for rid in seen if rid.startswith("a")] == []  # before the read position
    assert [rid for rid in seen if rid.startswith("z")] == ["z0000000", "z0000001", "z0000002"]
    assert len([rid for rid in seen if rid.startswith("m")]) == 3 * PAGE


def test_a_transaction_reads_its_own_writes_page_by_page(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    store.put_many(many_cases(PAGE + 50))
    with store.transaction() as tx:
        tx.put_many(many_cases(10, prefix="t"))
        tx.delete(Case, "c0000003")
        stream = tx.find(Case)
        first = [next(stream).id for _ in range(3)]
        ids = first + [c.id for c in stream]
        assert "c0000003" not in ids
        assert ids[-10:] == [f"t{i:07d}" for i in range(10)]
        assert len(ids) == PAGE + 50 - 1 + 10
        unfinished = tx.find(Case)
        next(unfinished)
        tx.commit()
    with pytest.raises(StorageError, match="committed or rolled back"):
        list(unfinished)  # its next page would be read on a connection that is gone


@pytest.mark.parametrize(
    "criteria",
    [
        {},
        {"category": "violence"},
        {"category": "child_marriage"},
        {"risk": "high", "sex": "female"},
        {"village_id": "52.03.12.2005"},
        {"period": Between(None, None)},
        {"village_id": {"52.03.12.2005", "52.01.03.2001"}, "has_disability": False},
        {"village_id": "52.03.12.2005", "period": Between(date(2024, 1, 1), None)},
        {"hamlet_id": "nowhere"},
    ],
    ids=repr,
)
def test_filtered_streams_match_the_reference(store_maker: StoreMaker, criteria: dict) -> None:
    """Whatever plan pages a filtered find (SQLite changes plan after the first page
    when the matches are many), it returns what the memory store returns."""
    records = many_cases(3 * PAGE + 123)
    store = store_maker.open()
    store.put_many(records)
    reference = MemoryStore("memory://", records=records)
    expected = [c.id for c in reference.find(Case, **criteria)]
    assert [c.id for c in store.find(Case, **criteria)] == expected


def _damage(maker: StoreMaker, ids: list[str]) -> None:
    engine = maker.admin()
    with engine.begin() as conn:
        for n, rid in enumerate(ids):
            data = "not json" if n % 2 == 0 else '{"id": "broken"}'
            conn.execute(
                sa.text("UPDATE kk_case SET data = :d WHERE id = :i"), {"d": data, "i": rid}
            )
    engine.dispose()


def test_a_damaged_row_is_named_and_the_stream_goes_on(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    store.put_many(many_cases(2 * PAGE + 10))
    damaged = ["c0000001", "c0000002", f"c{PAGE - 1:07d}", f"c{PAGE:07d}", f"c{2 * PAGE + 9:07d}"]
    _damage(store_maker, damaged)
    stream = store.find(Case)
    read: list[str] = []
    errors: list[str] = []
    while True:
        try:
            read.append(next(stream).id)
        except StopIteration:
            break
        except StorageError as exc:
            errors.append(str(exc))
    assert len(errors) == len(damaged)
    for message, rid in zip(errors, damaged, strict=True):
        assert f"case {rid!r}" in message
    everything = [c.id for c in many_cases(2 * PAGE + 10)]
    assert read == [rid for rid in everything if rid not in damaged]


def test_a_damaged_row_inside_a_transaction_too(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    store.put_many(many_cases(20))
    _damage(store_maker, ["c0000004"])
    with store.transaction() as tx:
        stream = tx.find(Case)
        assert [next(stream).id for _ in range(4)] == [f"c{i:07d}" for i in range(4)]
        with pytest.raises(StorageError, match="c0000004"):
            next(stream)
        assert len(list(stream)) == 15


@pytest.mark.parametrize(
    ("criteria", "walks_the_id_index"),
    [({"category": "violence"}, False), ({"period": Between(None, None)}, True)],
)
def test_sqlite_pages_many_matches_along_the_id_index(
    tmp_path: Path, criteria: dict, walks_the_id_index: bool
) -> None:
    """SQLite's planner would answer every page of a broad filter through a dimension
    index and a sort, reading all the matches again per page (quadratic); after the
    first page such a find walks the id index instead."""
    store = SqlStore(f"sqlite:///{tmp_path / 'kk.db'}")  # PostgreSQL plans with statistics
    store.put_many(many_cases(3 * PAGE + 123))
    finder = Finder(store._factory, Case, criteria)
    with store.engine.connect() as conn:
        first = finder.page(conn, None)
        finder.page(conn, first[-1][0] if first else None)
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(finder._next.compile(dialect=store.engine.dialect)),
            tuple(finder._next.compile(dialect=store.engine.dialect).params.values()),
        ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert ("sqlite_autoindex_kk_case_1" in details) == walks_the_id_index, details
    assert ("TEMP B-TREE" in details) != walks_the_id_index, details
    store.close()
