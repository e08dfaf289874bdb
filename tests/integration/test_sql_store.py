"""The SQL adapter beyond the contract: child tables, push-down, bulk paths, streaming."""

from __future__ import annotations

import tracemalloc
from datetime import date
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from kk_adapters.sql.rows import RowCodec, with_version
from kk_adapters.sql.schema import build_schema
from kk_core import open_store
from kk_core.cases import Case
from kk_core.dimensions import DIMENSIONS, Between, compile_criteria, count_by
from kk_core.errors import ReadOnlyError
from kk_core.kinds import Record
from kk_core.meetings import Meeting
from kk_core.testing.contract import sample_cases
from kk_core.testing.strategies import records
from sql_support import StoreMaker, many_cases


def _rows(maker: StoreMaker, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = maker.admin()
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def test_opens_by_url_through_the_plugin(tmp_path: Any) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        assert type(store).__name__ == "SqlStore"
        assert store.capabilities.aggregate_pushdown is True
        assert store.url == f"sqlite:///{tmp_path / 'a.db'}"
    finally:
        store.close()


def test_child_tables_follow_their_records(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    violent = next(c for c in sample_cases() if c.violence is not None)
    stored = store.put(violent)
    forms = _rows(
        store_maker, "SELECT form FROM kk_case_violence_form WHERE case_id = :i", i=violent.id
    )
    assert sorted(f for (f,) in forms) == sorted(f.value for f in violent.violence.forms)  # type: ignore[union-attr]
    # rewritten with the record
    from kk_core.codes import ViolenceForm

    changed = attrs.evolve(
        stored,
        violence=attrs.evolve(
            stored.violence, forms=frozenset({ViolenceForm.SEXUAL, ViolenceForm.NEGLECT})
        ),
    )
    store.put(changed)
    forms = _rows(
        store_maker, "SELECT form FROM kk_case_violence_form WHERE case_id = :i", i=violent.id
    )
    assert sorted(f for (f,) in forms) == ["neglect", "sexual"]
    # and gone with it
    store.delete(Case, violent.id)
    assert _rows(store_maker, "SELECT count(*) FROM kk_case_violence_form") == [(0,)]


def test_case_timeline_and_meeting_attendance_rows(store_maker: StoreMaker) -> None:
    from datetime import datetime, timedelta, timezone

    from kk_core.case_lifecycle import assign_companion, report_case

    store = store_maker.open()
    base = sample_cases(1)[0]
    at = datetime(2025, 2, 13, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    case, _ = report_case(attrs.evolve(base, reported_on=at.date(), status=base.status), at=at)
    case, _ = assign_companion(case, "m-7", at=at + timedelta(hours=1))
    store.put(case)
    events = _rows(
        store_maker,
        "SELECT seq, action, source, target, ref FROM kk_case_event WHERE case_id = :i ORDER BY seq",
        i=case.id,
    )
    assert [(e[1], e[3]) for e in events] == [(e.action, e.target) for e in case.timeline]
    assert events[-1][4] == "m-7"
    meeting = Meeting(
        "rapat-1", "kk-teros", "Rapat KK", date(2025, 2, 13), member_ids={"m-1", "m-2", "m-3"}
    )
    store.put(meeting)
    members = _rows(store_maker, "SELECT member_id FROM kk_meeting_member ORDER BY member_id")
    assert members == [("m-1",), ("m-2",), ("m-3",)]
    store.put(attrs.evolve(store.get(Meeting, "rapat-1"), member_ids=frozenset({"m-9"})))
    assert _rows(store_maker, "SELECT member_id FROM kk_meeting_member") == [("m-9",)]


def test_count_is_one_group_by_query(store_maker: StoreMaker) -> None:
    store = store_maker.open()
    cases = many_cases(300)
    store.put_many(cases)
    seen: list[str] = []

    def remember(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", remember)
    by = ("category", "hamlet_id", "month", "sex", "age_band")
    criteria = {"status": {"active", "referred"}, "period": Between(date(2024, 3, 1), None)}
    got = store.count(Case, by=by, **criteria)
    sa.event.remove(store.engine, "before_cursor_execute", remember)
    counting = [s for s in seen if "count(" in s.lower()]
    assert len(counting) == 1
    assert "GROUP BY" in counting[0]
    assert got == count_by(cases, Case, by, compile_criteria(Case, criteria))


def test_bulk_put_many_round_trips(store_maker: StoreMaker) -> None:
    """Past one chunk, new and updated and unchanged records mixed in one call."""
    store = store_maker.open()
    cases = many_cases(12_000)
    stored = store.put_many(cases)
    assert [s.version for s in stored[:3]] == [1, 1, 1]
    assert store.count(Case) == {(): 12_000}
    mixed: list[Record] = [attrs.evolve(s, summary="diubah") for s in stored[:5000]]
    mixed += stored[5000:6000]  # unchanged: no-ops
    mixed += many_cases(3000, prefix="new-")
    again = store.put_many(mixed)
    assert [r.version for r in again[:5000]] == [2] * 5000
    assert [r.version for r in again[5000:6000]] == [1] * 1000
    assert [r.version for r in again[6000:]] == [1] * 3000
    assert store.count(Case) == {(): 15_000}
    assert store.get(Case, cases[10].id).summary == "diubah"
    assert list(store.find(Case, id=Between("new-", "new-~"))) == sorted(
        again[6000:], key=lambda r: r.id
    )


def test_find_streams_in_flat_memory(store_maker: StoreMaker) -> None:
    """Consuming a find of 50k cases allocates a bounded amount, not memory ∝ N."""
    store = store_maker.open()
    n = 50_000
    batch = many_cases(n)
    for start in range(0, n, 10_000):
        store.put_many(batch[start : start + 10_000])
    del batch
    tracemalloc.start()
    try:
        seen = sum(1 for _ in store.find(Case))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == n
    # 50k cases held at once would be ~100 MB; a page of 1,000 is a few MB
    assert peak < 12_000_000, f"streaming {n} cases peaked at {peak:,} bytes"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_rows_carry_what_the_dimensions_read(record: Record) -> None:
    """The fast row builder (plain fields from the unstructured dict) agrees with
    `Dimension.read` for every kind, and the version copy with ``attrs.evolve``."""
    kind_table = build_schema().kinds[record.kind]
    codec = RowCodec(kind_table)
    _, values, plain = codec.encode(record)
    by_name = dict(zip(codec.dimension_columns, values, strict=True))
    for dim in DIMENSIONS[type(record)]:
        if dim.name == "id":
            continue
        want = dim.read(record)
        if dim.many:  # kept in a child table: its rows hold exactly the set
            place = kind_table.sets[dim.name]
            (child,) = [c for c in kind_table.children if c.table is place.table]
            at = child.columns.index(place.column)
            assert {row[at] for row in child.rows(record.id, plain)} == want, dim.name
            continue
        if isinstance(want, date):
            want = want.isoformat()
        assert by_name[dim.name] == want, dim.name
    assert with_version(record, 7) == attrs.evolve(record, version=7)
    text, _, _ = codec.encode(record)
    assert codec.decode(text, 3) == attrs.evolve(record, version=3)


def test_content_equal_across_time_zones_is_a_noop(store_maker: StoreMaker) -> None:
    """Equal instants written in another zone are the same content (as `==` says)."""
    from datetime import UTC, datetime, timedelta, timezone

    from kk_core.case_lifecycle import report_case

    store = store_maker.open()
    base = sample_cases(1)[0]
    wita = datetime(2025, 2, 13, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    case, _ = report_case(attrs.evolve(base, reported_on=wita.date()), at=wita)
    stored = store.put(case)
    utc = attrs.evolve(
        case, timeline=tuple(attrs.evolve(e, at=e.at.astimezone(UTC)) for e in case.timeline)
    )
    assert store.put(utc) == stored
    assert store.put_many([utc, utc]) == [stored, stored]
    assert store.get(Case, case.id).version == 1


def test_read_only_sqlite_refuses_at_the_database_too(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    with open_store(url) as store:  # type: ignore[attr-defined]
        store.put(sample_cases(1)[0])
    with open_store(url, read_only=True) as store:  # type: ignore[attr-defined]
        raw = store.engine.connect()
        try:
            with pytest.raises(sa.exc.OperationalError, match=r"readonly|read-only|query_only"):
                raw.exec_driver_sql("DELETE FROM kk_case")
        finally:
            raw.close()


def test_transaction_writes_while_its_find_is_open(store_maker: StoreMaker) -> None:
    """A find started in a transaction keeps streaming across the transaction's writes."""
    store = store_maker.open()
    store.put_many(many_cases(2500))
    with store.transaction() as tx:
        found = tx.find(Case)
        first = next(found)
        tx.put(attrs.evolve(first, summary="diubah di transaksi"))
        tx.put(many_cases(1, prefix="zz-")[0])
        rest = list(found)
        assert len(rest) in (2499, 2500)  # the new record may or may not be seen
        assert tx.count(Case) == {(): 2501}
        tx.commit()
    assert store.get(Case, first.id).version == 2
    assert store.count(Case) == {(): 2501}


def test_read_only_store_commits_a_transaction_that_wrote_nothing(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'ro-commit.db'}"
    with open_store(url) as store:  # type: ignore[attr-defined]
        stored = store.put(sample_cases(1)[0])
    with open_store(url, read_only=True) as store:  # type: ignore[attr-defined]
        with store.transaction() as tx:
            assert tx.get(Case, stored.id) == stored
            tx.commit()
        with store.transaction() as tx, pytest.raises(ReadOnlyError):
            tx.put(attrs.evolve(stored, summary="x"))
